#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

// Splits a byte stream into frames: a 4-byte big-endian length, then that many payload bytes.
// The length is checked the moment the header is complete, before any body byte is awaited.
class FrameDecoder final
{
public:
    enum class Error { None, ZeroLength, TooLarge };

    explicit FrameDecoder(qsizetype maxFrameSize);

    // Appends bytes and moves every complete payload into `frames`. Returns false once the stream
    // is broken; then error() says why and the decoder accepts nothing more.
    bool feed(QByteArrayView bytes, QList<QByteArray> *frames);

    Error error() const { return m_error; }
    QString errorString() const;
    // True while part of a frame (header or body) has arrived but not all of it.
    bool hasPartialFrame() const { return m_expected >= 0 || !m_buffer.isEmpty(); }
    qsizetype bufferedBytes() const { return m_buffer.size(); }

    static QByteArray encode(const QByteArray &payload);

private:
    qsizetype m_maxFrameSize;
    qsizetype m_expected = -1; // body length once the header is known
    QByteArray m_buffer;
    Error m_error = Error::None;
};
