// SPDX-License-Identifier: GPL-3.0-or-later
#include "protocol/framedecoder.h"

#include <QTest>
#include <QtEndian>

class tst_FrameDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wholeFrame();
    void splitAtEveryOffset();
    void framesShareTheBytesRead();
    void twoFramesInOneChunk();
    void badLength_data();
    void badLength();
    void oversizeRejectedBeforeBody();
    void maxSizeAccepted();
    void nothingAcceptedAfterError();
    void partialFrameTracked();
};

static QByteArray header(quint32 length)
{
    QByteArray h(4, Qt::Uninitialized);
    qToBigEndian(length, h.data());
    return h;
}

void tst_FrameDecoder::wholeFrame()
{
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    QVERIFY(d.feed(FrameDecoder::encode("hello"), &frames));
    QCOMPARE(frames, QList<QByteArray>{"hello"});
    QVERIFY(!d.hasPartialFrame());
}

void tst_FrameDecoder::splitAtEveryOffset()
{
    const QByteArray stream = FrameDecoder::encode("first payload") + FrameDecoder::encode("second")
                              + FrameDecoder::encode(QByteArray(300, 'x'));
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        FrameDecoder d(1024);
        QList<QByteArray> frames;
        QVERIFY(d.feed(QByteArrayView(stream).first(cut), &frames));
        QVERIFY(d.feed(QByteArrayView(stream).sliced(cut), &frames));
        QCOMPARE(frames.size(), 3);
        QCOMPARE(frames.at(0), QByteArray("first payload"));
        QCOMPARE(frames.at(1), QByteArray("second"));
        QCOMPARE(frames.at(2), QByteArray(300, 'x'));
        QVERIFY(!d.hasPartialFrame());
    }
    // And one byte at a time.
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    for (char c : stream)
        QVERIFY(d.feed(QByteArrayView(&c, 1), &frames));
    QCOMPARE(frames.size(), 3);
}

void tst_FrameDecoder::framesShareTheBytesRead()
{
    // The connection's way: payloads as views into what was read, the same payloads wherever
    // the reads split the stream, and no copy when a read holds whole frames.
    const QByteArray stream = FrameDecoder::encode("first payload") + FrameDecoder::encode("second")
                              + FrameDecoder::encode(QByteArray(300, 'x'));
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        FrameDecoder d(1024);
        QList<QByteArray> payloads;
        for (const QByteArray &read : {stream.first(cut), stream.sliced(cut)}) {
            FrameDecoder::Frames frames;
            QVERIFY(d.feed(read, &frames));
            for (qsizetype i = 0; i < frames.size(); ++i)
                payloads.append(frames.at(i).toByteArray());
        }
        QCOMPARE(payloads, (QList<QByteArray>{"first payload", "second", QByteArray(300, 'x')}));
        QVERIFY(!d.hasPartialFrame());
    }
    FrameDecoder d(1024);
    FrameDecoder::Frames frames;
    QVERIFY(d.feed(stream, &frames));
    QCOMPARE(frames.size(), 3);
    QCOMPARE(frames.data.constData(), stream.constData());
    QCOMPARE(frames.at(1), QByteArrayView("second"));
}

void tst_FrameDecoder::twoFramesInOneChunk()
{
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    QVERIFY(
        d.feed(FrameDecoder::encode("a") + FrameDecoder::encode("bc") + header(5) + "xy", &frames));
    QCOMPARE(frames, (QList<QByteArray>{"a", "bc"}));
    QVERIFY(d.hasPartialFrame());
    QVERIFY(d.feed("zzz", &frames));
    QCOMPARE(frames.last(), QByteArray("xyzzz"));
}

void tst_FrameDecoder::badLength_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("error");
    QTest::newRow("zero") << header(0) << int(FrameDecoder::Error::ZeroLength);
    QTest::newRow("one over") << header(1025) << int(FrameDecoder::Error::TooLarge);
    QTest::newRow("max uint32") << header(0xffffffff) << int(FrameDecoder::Error::TooLarge);
    QTest::newRow("garbage text") << QByteArray("GET / HTTP/1.1\r\n")
                                  << int(FrameDecoder::Error::TooLarge);
    QTest::newRow("zero after a good frame")
        << FrameDecoder::encode("ok") + header(0) << int(FrameDecoder::Error::ZeroLength);
}

void tst_FrameDecoder::badLength()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, error);
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    QVERIFY(!d.feed(bytes, &frames));
    QCOMPARE(int(d.error()), error);
    QVERIFY(!d.errorString().isEmpty());
}

void tst_FrameDecoder::oversizeRejectedBeforeBody()
{
    // The header alone is enough to refuse: no body byte is awaited or buffered.
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    QVERIFY(d.feed(header(2000).first(3), &frames));
    QVERIFY(!d.feed(header(2000).sliced(3), &frames));
    QCOMPARE(d.error(), FrameDecoder::Error::TooLarge);
    QCOMPARE(d.bufferedBytes(), 0);
}

void tst_FrameDecoder::maxSizeAccepted()
{
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    QVERIFY(d.feed(FrameDecoder::encode(QByteArray(1024, 'm')), &frames));
    QCOMPARE(frames.size(), 1);
}

void tst_FrameDecoder::nothingAcceptedAfterError()
{
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    QVERIFY(!d.feed(header(0), &frames));
    QVERIFY(!d.feed(FrameDecoder::encode("late"), &frames));
    QVERIFY(frames.isEmpty());
}

void tst_FrameDecoder::partialFrameTracked()
{
    FrameDecoder d(1024);
    QList<QByteArray> frames;
    QVERIFY(!d.hasPartialFrame());
    QVERIFY(d.feed(header(3), &frames)); // header only, no body yet
    QVERIFY(d.hasPartialFrame());
    QVERIFY(d.feed("abc", &frames));
    QVERIFY(!d.hasPartialFrame());
}

QTEST_APPLESS_MAIN(tst_FrameDecoder)
#include "tst_framedecoder.moc"
