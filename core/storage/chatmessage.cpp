// SPDX-License-Identifier: GPL-3.0-or-later
#include "chatmessage.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QtEndian>

#include <cstring>

#ifdef Q_OS_LINUX
#include <sys/random.h>
#endif

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

namespace {

// The random bits of IDs, drawn from the system a block at a time. QRandomGenerator::system()
// uses RDRAND here, ~5 µs for one ID's four words on this machine (a VM traps it); getrandom()
// gives 512 bytes (32 IDs) in ~6 µs, 16 in ~1.8 µs. Both cryptographic.
void fillRandom(quint8 *out, qsizetype n)
{
    static constexpr qsizetype Block = 512;
    thread_local quint32 block[Block / 4];
    thread_local qsizetype left = 0;
    while (n > 0) {
        if (left == 0) {
#ifdef Q_OS_LINUX
            qsizetype got = 0;
            while (got < Block) {
                const ssize_t r = getrandom(reinterpret_cast<char *>(block) + got,
                                            size_t(Block - got),
                                            0);
                if (r <= 0)
                    break;
                got += r;
            }
            if (got < Block) // EINTR, or no getrandom(): the whole block from Qt
                QRandomGenerator::system()->fillRange(block, Block / 4);
#else
            QRandomGenerator::system()->fillRange(block, Block / 4);
#endif
            left = Block;
        }
        const qsizetype take = qMin(n, left);
        // Taken from the end and wiped: no byte is handed out twice.
        auto *bytes = reinterpret_cast<quint8 *>(block);
        std::memcpy(out, bytes + left - take, size_t(take));
        std::memset(bytes + left - take, 0, size_t(take));
        left -= take;
        out += take;
        n -= take;
    }
}

} // namespace

QUuid newMessageId()
{
    quint8 bytes[16];
    fillRandom(bytes, 16);
    const quint64 ms = quint64(QDateTime::currentMSecsSinceEpoch());
    for (int i = 0; i < 6; ++i)
        bytes[i] = quint8(ms >> (8 * (5 - i)));
    bytes[6] = quint8(0x70 | (bytes[6] & 0x0f)); // version 7
    bytes[8] = quint8(0x80 | (bytes[8] & 0x3f)); // variant 10
    return QUuid::fromRfc4122(QByteArrayView(reinterpret_cast<const char *>(bytes), 16));
}
