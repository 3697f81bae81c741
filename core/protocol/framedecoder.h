// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <utility>

// Splits a byte stream into frames: a 4-byte big-endian length, then that many payload bytes.
// The length is checked the moment the header is complete, before any body byte is awaited.
class FrameDecoder final
{
public:
    enum class Error { None, ZeroLength, TooLarge };

    explicit FrameDecoder(qsizetype maxFrameSize);

    // The complete payloads of one feed(), without a copy of each: views into the bytes read.
    struct Frames
    {
        QByteArray data;
        QList<std::pair<qsizetype, qsizetype>> spans; // offset and size of each payload in data
        qsizetype size() const { return spans.size(); }
        bool isEmpty() const { return spans.isEmpty(); }
        QByteArrayView at(qsizetype i) const
        {
            return QByteArrayView(data).sliced(spans.at(i).first, spans.at(i).second);
        }
        void clear()
        {
            data.clear();
            spans.clear();
        }
    };

    // Appends bytes and moves every complete payload into `frames`. Returns false once the stream
    // is broken; then error() says why and the decoder accepts nothing more.
    bool feed(QByteArrayView bytes, QList<QByteArray> *frames);
    // The same, replacing `frames` with this call's payloads. `bytes` is shared, not copied,
    // when no partial frame waits (the usual case): a flood of small frames costs no allocation
    // per frame.
    bool feed(const QByteArray &bytes, Frames *frames);

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
