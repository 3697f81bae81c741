// SPDX-License-Identifier: GPL-3.0-or-later
#include "framedecoder.h"

#include <QtEndian>

static constexpr qsizetype HeaderSize = 4;

FrameDecoder::FrameDecoder(qsizetype maxFrameSize)
    : m_maxFrameSize(maxFrameSize)
{}

bool FrameDecoder::feed(QByteArrayView bytes, QList<QByteArray> *frames)
{
    Frames found;
    const bool ok = feed(bytes.toByteArray(), &found);
    for (qsizetype i = 0; i < found.size(); ++i)
        frames->append(found.at(i).toByteArray());
    return ok;
}

bool FrameDecoder::feed(const QByteArray &bytes, Frames *frames)
{
    frames->clear();
    if (m_error != Error::None)
        return false;
    if (m_buffer.isEmpty()) {
        frames->data = bytes;
    } else {
        m_buffer.append(bytes);
        frames->data = std::exchange(m_buffer, {});
    }
    const QByteArray &data = frames->data;

    qsizetype pos = 0;
    for (;;) {
        if (m_expected < 0) {
            if (data.size() - pos < HeaderSize)
                break;
            const quint32 length = qFromBigEndian<quint32>(data.constData() + pos);
            if (length == 0) {
                m_error = Error::ZeroLength;
            } else if (length > quint64(m_maxFrameSize)) {
                m_error = Error::TooLarge;
            }
            if (m_error != Error::None)
                return false; // the good frames before it stay in *frames
            m_expected = qsizetype(length);
            pos += HeaderSize;
        }
        if (data.size() - pos < m_expected)
            break;
        frames->spans.append({pos, m_expected});
        pos += m_expected;
        m_expected = -1;
    }
    // What is left of a partial frame (its header already read when m_expected >= 0).
    if (pos == 0)
        m_buffer = data;
    else if (pos < data.size())
        m_buffer = data.sliced(pos);
    return true;
}

QString FrameDecoder::errorString() const
{
    switch (m_error) {
    case Error::None:
        return {};
    case Error::ZeroLength:
        return QStringLiteral("frame with length 0");
    case Error::TooLarge:
        return QStringLiteral("frame longer than %1 bytes").arg(m_maxFrameSize);
    }
    return {};
}

QByteArray FrameDecoder::encode(const QByteArray &payload)
{
    QByteArray out(HeaderSize, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(payload.size()), out.data());
    out.append(payload);
    return out;
}
