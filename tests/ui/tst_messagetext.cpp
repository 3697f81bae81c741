// SPDX-License-Identifier: GPL-3.0-or-later
// What a bubble shows of a text: bounded, with every cut said, and ordinary text untouched.
#include "messagetext.h"

#include <QTest>

using namespace Qt::StringLiterals;

class tst_MessageText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ordinaryTextIsShownWhole_data();
    void ordinaryTextIsShownWhole();
    void heavyClusterIsCut_data();
    void heavyClusterIsCut();
    void longTextIsTruncated();
    void viewerHasNoLengthLimit();
};

void tst_MessageText::ordinaryTextIsShownWhole_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("ascii") << u"hello, world\nsecond line"_s;
    QTest::newRow("chinese") << u"你好，世界"_s;
    QTest::newRow("vietnamese, two marks") << u"Tiếng Việt: ệ ộ"_s;
    QTest::newRow("decomposed, three marks") << u"a\u0301\u0323\u0302"_s;
    QTest::newRow("hebrew with points") << u"בְּרֵאשִׁית"_s;
    QTest::newRow("family emoji") << u"\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"_s;
    QTest::newRow("kiss, two skin tones (15 units)")
        << u"\U0001F9D1\U0001F3FB\u200D\u2764\uFE0F\u200D\U0001F48B\u200D\U0001F9D1\U0001F3FC"_s;
    QTest::newRow("flag of Scotland (tags)")
        << u"\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"_s;
    QTest::newRow("exactly the length limit") << QString(MessageText::MaxShownLength, u'x');
}

void tst_MessageText::ordinaryTextIsShownWhole()
{
    QFETCH(QString, text);
    const MessageText m = MessageText::fromText(text);
    QCOMPARE(m.shown, text);
    QVERIFY(m.markers.isEmpty());
    QVERIFY(!m.truncated);
    QVERIFY(m.isComplete());
}

void tst_MessageText::heavyClusterIsCut_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("kept");
    QTest::addColumn<int>("hidden");
    QTest::addColumn<QString>("after");
    QTest::newRow("letter under 10 marks")
        << u"a"_s + QString(10, QChar(0x0301)) + u" b"_s
        << u"a"_s + QString(MessageText::MaxClusterMarks, QChar(0x0301))
        << 10 - MessageText::MaxClusterMarks << u" b"_s;
    QTest::newRow("letter under 32,767 marks")
        << u"a"_s + QString(32767, QChar(0x0301)) << u"a"_s + QString(6, QChar(0x0301)) << 32761
        << QString();
    // Boundaries are looked for in windows; a character across one is still found whole.
    QTest::newRow("letter under 200 marks across the window")
        << QString(1900, u'x') + u"a"_s + QString(200, QChar(0x0301)) + u" b"_s
        << QString(1900, u'x') + u"a"_s + QString(6, QChar(0x0301)) << 194 << u" b"_s;
    QString chain;
    for (int i = 0; i < 20; ++i)
        chain += u"\U0001F469\u200D"_s;
    chain.chop(1);
    // 24 units hold 8 emoji and their joiners, not ending on a joiner.
    QString eight;
    for (int i = 0; i < 8; ++i)
        eight += u"\U0001F469\u200D"_s;
    eight.chop(1);
    QTest::newRow("20 emoji joined by ZWJ") << chain << eight << 12 + 12 << QString();
    // A cut never splits a surrogate pair: 23 units, then an astral mark that would be the 25th.
    QTest::newRow("astral mark at the limit")
        << u"a"_s + QString(22, QChar(0x200C)) + u"\U0001D167x"_s
        << u"a"_s + QString(22, QChar(0x200C)) << 1 << u"x"_s;
}

void tst_MessageText::heavyClusterIsCut()
{
    QFETCH(QString, text);
    QFETCH(QString, kept);
    QFETCH(int, hidden);
    QFETCH(QString, after);
    const MessageText m = MessageText::fromText(text);
    QVERIFY(!m.isComplete());
    QCOMPARE(m.markers.size(), 1);
    const auto marker = m.markers.constFirst();
    QCOMPARE(m.shown.left(marker.start), kept);
    QVERIFY2(m.shown.mid(marker.start, marker.length).contains(QLocale().toString(hidden)),
             qPrintable(m.shown.mid(marker.start, marker.length)));
    QCOMPARE(m.shown.mid(marker.start + marker.length), after);
}

void tst_MessageText::longTextIsTruncated()
{
    const MessageText m = MessageText::fromText(QString(65536, u'x'));
    QCOMPARE(m.shown, QString(MessageText::MaxShownLength, u'x'));
    QVERIFY(m.truncated);
    QVERIFY(!m.isComplete());
    // Never in the middle of a character.
    const MessageText pairs = MessageText::fromText(
        QString(3000, u'y').replace(u'y', u"\U0001F600"_s));
    QCOMPARE(pairs.shown.size(), MessageText::MaxShownLength);
    QVERIFY(pairs.shown.back().isLowSurrogate());
}

void tst_MessageText::viewerHasNoLengthLimit()
{
    const QString word(65536, u'x');
    QCOMPARE(MessageText::fromText(word, -1).shown, word);
    QVERIFY(MessageText::fromText(word, -1).isComplete());
}

QTEST_APPLESS_MAIN(tst_MessageText)
#include "tst_messagetext.moc"
