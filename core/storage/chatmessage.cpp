#include "chatmessage.h"

using namespace Qt::StringLiterals;

QString messageStateName(MessageState state)
{
    switch (state) {
    case MessageState::Queued:
        return u"queued"_s;
    case MessageState::Sent:
        return u"sent"_s;
    case MessageState::Delivered:
        return u"delivered"_s;
    case MessageState::Read:
        return u"read"_s;
    case MessageState::Failed:
        return u"failed"_s;
    }
    return {};
}
