// SPDX-License-Identifier: GPL-3.0-or-later
// The checksum that decides whether a received file is kept: right on the standard's vectors,
// right on real files, and able to pick up a partial file where it stopped.
#include "files/sha256.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_Sha256 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fipsVectors_data();
    void fipsVectors();
    void fedInPiecesEqualsWhole();
    void resultLeavesStateGoing();
    void copyAndReset();
    void emptyAndOneByteFiles_data();
    void emptyAndOneByteFiles();
    void randomFileMatchesQt();
    void prefixOfFile();
    void partialContinuedEqualsWhole();
    void shorterThanAskedFails();
    void missingFileFails();
    void directoryFails();

private:
    QString writeFile(const QString &name, const QByteArray &data);
    static QByteArray randomBytes(qsizetype size);
    static QByteArray qtSha256(QByteArrayView data)
    {
        return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
    }

    QTemporaryDir m_dir;
};

QString tst_Sha256::writeFile(const QString &name, const QByteArray &data)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QByteArray tst_Sha256::randomBytes(qsizetype size)
{
    QByteArray data(size, '\0'); // the tail past the last whole word stays 0
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(data.data()),
                                          size / qsizetype(sizeof(quint32)));
    return data;
}

// FIPS 180-2, appendix B.
void tst_Sha256::fipsVectors_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("digest");
    QTest::newRow("abc") << "abc"_ba
                         << u"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_s;
    QTest::newRow("448 bits") << "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"_ba
                              << u"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"_s;
    QTest::newRow("a million a") << QByteArray(
        1'000'000, 'a') << u"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"_s;
    QTest::newRow("empty") << QByteArray()
                           << u"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_s;
}

void tst_Sha256::fipsVectors()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, digest);
    QCOMPARE(Sha256::toHex(Sha256::hash(message)), digest);
    Sha256 sha;
    QVERIFY(sha.isValid());
    sha.addData(message);
    QCOMPARE(sha.result().size(), Sha256::Size);
    QCOMPARE(sha.hexResult(), digest);
}

void tst_Sha256::fedInPiecesEqualsWhole()
{
    const QByteArray data = randomBytes(100'003);
    // Piece sizes that straddle SHA-256's 64-byte blocks in every way.
    for (const qsizetype piece : {1, 63, 64, 65, 4096, 99'999}) {
        Sha256 sha;
        for (qsizetype at = 0; at < data.size(); at += piece)
            sha.addData(QByteArrayView(data).sliced(at, qMin(piece, data.size() - at)));
        QCOMPARE(sha.result(), qtSha256(data));
    }
}

void tst_Sha256::resultLeavesStateGoing()
{
    Sha256 sha;
    sha.addData("abc");
    QCOMPARE(sha.result(), qtSha256("abc"));
    QCOMPARE(sha.result(), qtSha256("abc")); // asking twice changes nothing
    sha.addData("def");
    QCOMPARE(sha.result(), qtSha256("abcdef"));
}

void tst_Sha256::copyAndReset()
{
    Sha256 sha;
    sha.addData("abc");
    Sha256 copy = sha;
    copy.addData("def");
    QCOMPARE(sha.result(), qtSha256("abc"));
    QCOMPARE(copy.result(), qtSha256("abcdef"));
    Sha256 moved = std::move(copy);
    QCOMPARE(moved.result(), qtSha256("abcdef"));
    moved.reset();
    QCOMPARE(moved.result(), qtSha256(""));
    moved.addData("x");
    QCOMPARE(moved.result(), qtSha256("x"));
}

void tst_Sha256::emptyAndOneByteFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("0 bytes") << QByteArray();
    QTest::newRow("1 byte") << "\x00"_ba;
}

void tst_Sha256::emptyAndOneByteFiles()
{
    QFETCH(QByteArray, content);
    const QString path = writeFile(u"small"_s, content);
    QString error;
    const auto whole = Sha256::ofFile(path, -1, &error);
    QVERIFY2(whole, qPrintable(error));
    QCOMPARE(whole->result(), qtSha256(content));
    const auto exact = Sha256::ofFile(path, content.size(), &error);
    QVERIFY2(exact, qPrintable(error));
    QCOMPARE(exact->result(), qtSha256(content));
}

void tst_Sha256::randomFileMatchesQt()
{
    // Not a multiple of the 1 MiB chunk, so the last read is a short one.
    const QByteArray data = randomBytes(3 * Sha256::ChunkSize + 12'345);
    const QString path = writeFile(u"random"_s, data);
    QString error;
    const auto sha = Sha256::ofFile(path, -1, &error);
    QVERIFY2(sha, qPrintable(error));
    QCOMPARE(sha->result(), qtSha256(data));
    const auto sized = Sha256::ofFile(path, data.size(), &error);
    QVERIFY2(sized, qPrintable(error));
    QCOMPARE(sized->result(), qtSha256(data));
}

void tst_Sha256::prefixOfFile()
{
    const QByteArray data = randomBytes(2 * Sha256::ChunkSize + 100);
    const QString path = writeFile(u"prefix"_s, data);
    for (const qint64 length : {qint64(0), qint64(1), Sha256::ChunkSize, Sha256::ChunkSize + 1}) {
        QString error;
        const auto sha = Sha256::ofFile(path, length, &error);
        QVERIFY2(sha, qPrintable(error));
        QCOMPARE(sha->result(), qtSha256(QByteArrayView(data).first(length)));
    }
}

void tst_Sha256::partialContinuedEqualsWhole()
{
    // A receiver that resumes: it hashes what it holds, then goes on with the bytes that come.
    const QByteArray data = randomBytes(2 * Sha256::ChunkSize + 777);
    const QString whole = writeFile(u"whole"_s, data);
    const qint64 held = Sha256::ChunkSize + 333;
    const QString partial = writeFile(u"partial"_s, data.first(held));
    QString error;

    auto fromPartial = Sha256::ofFile(partial, held, &error);
    QVERIFY2(fromPartial, qPrintable(error));
    fromPartial->addData(QByteArrayView(data).sliced(held));
    QCOMPARE(fromPartial->result(), qtSha256(data));

    // Or from the rest of a file on disk, as the sender does.
    auto fromFile = Sha256::ofFile(whole, held, &error);
    QVERIFY2(fromFile, qPrintable(error));
    QVERIFY2(fromFile->addFile(whole, held, -1, &error), qPrintable(error));
    QCOMPARE(fromFile->result(), qtSha256(data));
}

void tst_Sha256::shorterThanAskedFails()
{
    const QString path = writeFile(u"short"_s, QByteArray(1000, 'x'));
    QString error;
    QVERIFY(!Sha256::ofFile(path, 1001, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY2(error.contains(u"shorter"_s), qPrintable(error));
    QVERIFY2(error.contains(u"ends after 1000 bytes, 1001 were needed"_s), qPrintable(error));

    // Continuing from an offset past the end is the same mistake.
    Sha256 sha;
    error.clear();
    QVERIFY(!sha.addFile(path, 2000, 1, &error));
    QVERIFY2(error.contains(u"ends after 1000 bytes, 2001 were needed"_s), qPrintable(error));
    error.clear();
    QVERIFY(!sha.addFile(path, 2000, -1, &error));
    QVERIFY2(error.contains(u"ends after 1000 bytes, 2000 were needed"_s), qPrintable(error));
    // Up to the end from the very end is nothing more, and fine.
    QVERIFY2(sha.addFile(path, 1000, -1, &error), qPrintable(error));
    QCOMPARE(sha.result(), qtSha256(""));

    // A failure halfway through leaves what was hashed before as it was.
    sha.addData("abc");
    QVERIFY(!sha.addFile(path, 500, 501, &error));
    QCOMPARE(sha.result(), qtSha256("abc"));
    QVERIFY2(sha.addFile(path, 500, 500, &error), qPrintable(error));
    QCOMPARE(sha.result(), qtSha256("abc" + QByteArray(500, 'x')));
}

void tst_Sha256::missingFileFails()
{
    const QString path = m_dir.filePath(u"absent"_s);
    QString error;
    QVERIFY(!Sha256::ofFile(path, -1, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
}

void tst_Sha256::directoryFails()
{
    QString error;
    QVERIFY(!Sha256::ofFile(m_dir.path(), -1, &error));
    QVERIFY2(error.contains(m_dir.path()), qPrintable(error));
}

QTEST_APPLESS_MAIN(tst_Sha256)
#include "tst_sha256.moc"
