// Writes one seed per message type, framed as on the wire, for the protocol fuzz target.
#include "protocol/framedecoder.h"
#include "protocol/messages.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    if (argc != 2)
        return 2;
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    if (!dir.mkpath(u"."_s))
        return 1;
    Protocol::Hello hello;
    hello.peerId = QString(64, u'a');
    hello.name = u"Seed 种子"_s;
    hello.port = 47800;
    hello.capabilities = {u"chat"_s};
    const QDateTime ts = QDateTime::fromMSecsSinceEpoch(1'780'000'000'000, Qt::UTC);
    const QUuid id = QUuid::fromString(u"0b7a5d0e-8d9e-4c0f-9a7e-3f2b1c4d5e6f"_s);
    const QList<std::pair<const char *, Protocol::Message>> seeds = {
        {"hello", hello},
        {"chat", Protocol::Chat{id, ts, u"hello, 你好\nsecond line"_s}},
        {"ack", Protocol::Ack{id}},
        {"ping", Protocol::Ping{1}},
        {"pong", Protocol::Pong{1}},
        {"bye", Protocol::Bye{u"shutting down"_s}},
    };
    QByteArray session;
    for (const auto &[name, message] : seeds) {
        const QByteArray frame = Protocol::encodeFrame(message);
        session += frame;
        QFile f(dir.filePath(QString::fromLatin1(name)));
        // Leading byte: the chunk size the fuzz target feeds the stream in.
        if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray(1, '\x07') + frame) < 0)
            return 1;
    }
    QFile f(dir.filePath(u"session"_s));
    if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray(1, '\xff') + session) < 0)
        return 1;
    return 0;
}
