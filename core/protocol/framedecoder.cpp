#include "framedecoder.h"

#include <QtEndian>

static constexpr qsizetype HeaderSize = 4;

FrameDecoder::FrameDecoder(qsizetype maxFrameSize)
    : m_maxFrameSize(maxFrameSize)
{}

bool FrameDecoder::feed(QByteArrayView bytes, QList<QByteArray> *frames)
{
    if (m_error != Error::None)
        return false;
    m_buffer.append(bytes.data(), bytes.size());

    qsizetype pos = 0;
    for (;;) {
        if (m_expected < 0) {
            if (m_buffer.size() - pos < HeaderSize)
                break;
            const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + pos);
            if (length == 0) {
                m_error = Error::ZeroLength;
            } else if (length > quint64(m_maxFrameSize)) {
                m_error = Error::TooLarge;
            }
            if (m_error != Error::None) {
                m_buffer.clear();
                return false;
            }
            m_expected = qsizetype(length);
            pos += HeaderSize;
        }
        if (m_buffer.size() - pos < m_expected)
            break;
        frames->append(m_buffer.mid(pos, m_expected));
        pos += m_expected;
        m_expected = -1;
    }
    m_buffer.remove(0, pos);
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
