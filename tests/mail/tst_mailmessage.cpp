// SPDX-License-Identifier: GPL-3.0-or-later
// E-mail notices (issue 16): the message's bytes, and what a name, subject or address can do to
// its headers.
#include "mail/mailmessage.h"
#include "mail/mailsettings.h"

#include <QRegularExpression>
#include <QStringDecoder>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

MailMessage sample()
{
    MailMessage m;
    m.fromName = u"Alice (Shoal)"_s;
    m.fromAddress = u"alice@example.com"_s;
    m.toAddress = u"bob@example.org"_s;
    m.subject = u"Alice sent you 3 messages in Shoal"_s;
    m.body = u"line one\nline two"_s;
    m.date = QDateTime(QDate(2026, 12, 6), QTime(1, 49, 35), Qt::UTC);
    m.id = QUuid::fromString(u"0b7a5d0e-8d9e-4c0f-9a7e-1b2c3d4e5f60"_s);
    return m;
}

// The header section, split into lines (CRLF), and the body.
QList<QByteArray> headerLines(const QByteArray &mail)
{
    const qsizetype end = mail.indexOf("\r\n\r\n");
    return mail.left(end).split('\n');
}

QByteArray bodyOf(const QByteArray &mail)
{
    return mail.mid(mail.indexOf("\r\n\r\n") + 4);
}

// A header's value, continuation lines unfolded.
QByteArray header(const QByteArray &mail, const QByteArray &name)
{
    QByteArray out;
    bool in = false;
    for (QByteArray line : headerLines(mail)) {
        line.chop(line.endsWith('\r') ? 1 : 0);
        if (line.startsWith(' ') || line.startsWith('\t')) {
            if (in)
                out += line;
            continue;
        }
        in = line.startsWith(name + ": ");
        if (in)
            out = line.mid(name.size() + 2);
    }
    return out;
}

// Every "=?UTF-8?B?...?=" in `value` decoded and joined (whitespace between words dropped, as
// RFC 2047 says).
QString decodeWords(const QByteArray &value, bool *onlyWords = nullptr)
{
    static const QRegularExpression word(u"=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?="_s);
    QByteArray bytes;
    QString rest = QString::fromLatin1(value);
    auto it = word.globalMatch(rest);
    while (it.hasNext()) {
        const auto m = it.next();
        bytes += QByteArray::fromBase64(m.captured(1).toLatin1());
    }
    rest.remove(word);
    if (onlyWords)
        *onlyWords = rest.trimmed().isEmpty();
    return QString::fromUtf8(bytes);
}

} // namespace

class tst_MailMessage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addresses_data();
    void addresses();
    void headers();
    void subjectIsUtf8EncodedWords();
    void longSubjectSplitsBetweenCharacters();
    void bodyIsBase64Utf8();
    void injectionThroughNames_data();
    void injectionThroughNames();
    void refusesBadAddresses();
    void dateInEnglish();
    void settingsValidation_data();
    void settingsValidation();
};

void tst_MailMessage::addresses_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << u"bob@example.org"_s << true;
    QTest::newRow("dots, plus") << u"bob.smith+shoal@mail.example.org"_s << true;
    QTest::newRow("atext") << u"o'neil!#$%&*/=?^_`{|}~-@example.org"_s << true;
    QTest::newRow("localhost") << u"bob@localhost"_s << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("no at") << u"bob.example.org"_s << false;
    QTest::newRow("no local") << u"@example.org"_s << false;
    QTest::newRow("no domain") << u"bob@"_s << false;
    QTest::newRow("single label") << u"bob@example"_s << false;
    QTest::newRow("CRLF header") << u"bob@example.org\r\nBcc: eve@evil.example"_s << false;
    QTest::newRow("LF") << u"bob@example.org\nBcc: eve@evil.example"_s << false;
    QTest::newRow("space") << u"bob smith@example.org"_s << false;
    QTest::newRow("angle") << u"bob@example.org>"_s << false;
    QTest::newRow("two recipients") << u"bob@example.org,eve@evil.example"_s << false;
    QTest::newRow("quoted") << u"\"bob\"@example.org"_s << false;
    QTest::newRow("literal") << u"bob@[127.0.0.1]"_s << false;
    QTest::newRow("leading dot") << u".bob@example.org"_s << false;
    QTest::newRow("trailing dot") << u"bob.@example.org"_s << false;
    QTest::newRow("double dot") << u"bo..b@example.org"_s << false;
    QTest::newRow("empty label") << u"bob@example..org"_s << false;
    QTest::newRow("hyphen label") << u"bob@-example.org"_s << false;
    QTest::newRow("non-ASCII") << u"böb@example.org"_s << false;
    QTest::newRow("NUL") << u"bob\u0000@example.org"_s << false;
    QTest::newRow("local 64") << QString(64, u'a') + u"@example.org"_s << true;
    QTest::newRow("local 65") << QString(65, u'a') + u"@example.org"_s << false;
    QTest::newRow("255 in all") << u"a@"_s + QString(249, u'b') + u".org"_s << false;
}

void tst_MailMessage::addresses()
{
    QFETCH(QString, address);
    QFETCH(bool, valid);
    QCOMPARE(MailMessage::isValidAddress(address), valid);
}

void tst_MailMessage::headers()
{
    const QByteArray mail = sample().build();
    QVERIFY(!mail.isEmpty());
    // Every line ends with CRLF, none longer than 78 characters, no bare CR or LF.
    QVERIFY(mail.endsWith("\r\n"));
    for (const QByteArray &line : mail.split('\n').mid(0, mail.count('\n'))) {
        QVERIFY2(line.endsWith('\r'), line.constData());
        QVERIFY2(line.size() <= 79, line.constData());
        QVERIFY(!line.chopped(1).contains('\r'));
    }
    QCOMPARE(header(mail, "From"), "\"Alice (Shoal)\" <alice@example.com>");
    QCOMPARE(header(mail, "To"), "<bob@example.org>");
    QCOMPARE(header(mail, "Date"), "Sun, 06 Dec 2026 01:49:35 +0000");
    QCOMPARE(header(mail, "Message-ID"), "<0b7a5d0e-8d9e-4c0f-9a7e-1b2c3d4e5f60@example.com>");
    QCOMPARE(header(mail, "MIME-Version"), "1.0");
    QCOMPARE(header(mail, "Content-Type"), "text/plain; charset=UTF-8");
    QCOMPARE(header(mail, "Content-Transfer-Encoding"), "base64");
    QCOMPARE(header(mail, "Auto-Submitted"), "auto-generated");
    QCOMPARE(decodeWords(header(mail, "Subject")), sample().subject);
}

void tst_MailMessage::subjectIsUtf8EncodedWords()
{
    MailMessage m = sample();
    m.subject = u"爱丽丝 sent you 3 messages — Grüße 😀"_s;
    m.fromName = u"爱丽丝"_s;
    const QByteArray mail = m.build();
    bool onlyWords = false;
    QCOMPARE(decodeWords(header(mail, "Subject"), &onlyWords), m.subject);
    QVERIFY(onlyWords);
    // The name too, as an encoded word before the address.
    const QByteArray from = header(mail, "From");
    QVERIFY(from.endsWith(" <alice@example.com>"));
    QCOMPARE(decodeWords(from.chopped(int(qstrlen(" <alice@example.com>")))), m.fromName);
    for (const char c : mail.left(mail.indexOf("\r\n\r\n")))
        QVERIFY(uchar(c) < 0x80); // headers are ASCII
}

void tst_MailMessage::longSubjectSplitsBetweenCharacters()
{
    MailMessage m = sample();
    m.subject = QString(40, QChar(u'é')) + u"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"_s + QString(30, u'x');
    const QByteArray value = header(m.build(), "Subject");
    static const QRegularExpression word(u"=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?="_s);
    auto it = word.globalMatch(QString::fromLatin1(value));
    int words = 0;
    while (it.hasNext()) {
        const auto match = it.next();
        ++words;
        QVERIFY(match.capturedLength() <= 75);
        // Each word on its own is whole UTF-8: no character cut in two.
        const QByteArray bytes = QByteArray::fromBase64(match.captured(1).toLatin1());
        QStringDecoder decoder(QStringDecoder::Utf8);
        const QString text = decoder(bytes);
        QVERIFY(!decoder.hasError());
        QCOMPARE(text.toUtf8(), bytes);
    }
    QVERIFY(words > 2);
    QCOMPARE(decodeWords(value), m.subject);
}

void tst_MailMessage::bodyIsBase64Utf8()
{
    MailMessage m = sample();
    m.body = u"Hi\n.\nline after a dot alone\r\nGrüße 😀\n"_s + QString(500, u'x');
    const QByteArray body = bodyOf(m.build());
    for (const QByteArray &line : body.split('\n')) {
        QVERIFY(line.size() <= 77);
        QVERIFY(!line.startsWith('.'));
    }
    const QString decoded = QString::fromUtf8(QByteArray::fromBase64(body));
    QCOMPARE(decoded, u"Hi\r\n.\r\nline after a dot alone\r\nGrüße 😀\r\n"_s + QString(500, u'x'));
}

void tst_MailMessage::injectionThroughNames_data()
{
    QTest::addColumn<QString>("fromName");
    QTest::addColumn<QString>("subject");
    QTest::newRow("CRLF in subject") << u"Alice"_s << u"Hi\r\nBcc: eve@evil.example"_s;
    QTest::newRow("LF in subject") << u"Alice"_s << u"Hi\nBcc: eve@evil.example\n\nbody"_s;
    QTest::newRow("CRLF in name") << u"Alice\r\nBcc: eve@evil.example"_s << u"Hi"_s;
    QTest::newRow("quote in name") << u"Al\"ice\" <eve@evil.example>, \"x"_s << u"Hi"_s;
    QTest::newRow("U+2028") << u"Alice\u2028Bcc: eve@evil.example"_s << u"Hi\u2029x"_s;
    QTest::newRow("NEL") << u"Alice\u0085Bcc: eve@evil.example"_s << u"Hi"_s;
}

void tst_MailMessage::injectionThroughNames()
{
    QFETCH(QString, fromName);
    QFETCH(QString, subject);
    MailMessage m = sample();
    m.fromName = fromName;
    m.subject = subject;
    const QByteArray mail = m.build();
    QVERIFY(!mail.isEmpty());
    // No header but ours, each once; the sender is still alice, the only recipient bob.
    const QList<QByteArray> names{"Date",
                                  "From",
                                  "To",
                                  "Subject",
                                  "Message-ID",
                                  "Auto-Submitted",
                                  "MIME-Version",
                                  "Content-Type",
                                  "Content-Transfer-Encoding"};
    int count = 0;
    for (const QByteArray &line : headerLines(mail)) {
        if (line.startsWith(' '))
            continue; // a continuation of the subject's encoded words
        ++count;
        const QByteArray name = line.left(line.indexOf(':'));
        QVERIFY2(names.contains(name), line.constData());
    }
    QCOMPARE(count, names.size());
    // The name is one quoted string (every inner quote escaped) or encoded words, then alice.
    const QByteArray from = header(mail, "From");
    QVERIFY(from.endsWith(" <alice@example.com>"));
    const QByteArray phrase = from.chopped(int(qstrlen(" <alice@example.com>")));
    if (phrase.startsWith('"')) {
        QVERIFY(phrase.endsWith('"') && phrase.size() >= 2);
        const QByteArray inner = phrase.mid(1, phrase.size() - 2);
        for (qsizetype i = 0; i < inner.size(); ++i) {
            if (inner.at(i) == '\\')
                ++i; // an escaped character
            else
                QVERIFY2(inner.at(i) != '"', phrase.constData());
        }
    } else {
        bool onlyWords = false;
        decodeWords(phrase, &onlyWords);
        QVERIFY(onlyWords);
    }
    QCOMPARE(header(mail, "To"), "<bob@example.org>");
    // The text is still there, as text: line breaks became spaces.
    QVERIFY(decodeWords(header(mail, "Subject")).startsWith(u"Hi"_s));
}

void tst_MailMessage::refusesBadAddresses()
{
    MailMessage m = sample();
    m.toAddress = u"bob@example.org\r\nBcc: eve@evil.example"_s;
    QString error;
    QVERIFY(m.build(&error).isEmpty());
    QVERIFY(error.contains(u"Not an e-mail address"_s));
    m = sample();
    m.fromAddress = u"alice@example.com>\r\nRCPT TO:<eve@evil.example"_s;
    QVERIFY(m.build(&error).isEmpty());
}

void tst_MailMessage::dateInEnglish()
{
    QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::China));
    const QDateTime t(QDate(2027, 1, 2), QTime(3, 4, 5), Qt::OffsetFromUTC, -(5 * 3600 + 1800));
    QCOMPARE(MailMessage::formatDate(t), "Sat, 02 Jan 2027 03:04:05 -0530");
    QLocale::setDefault(QLocale::c());
}

void tst_MailMessage::settingsValidation_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("security");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("from");
    QTest::addColumn<qint64>("wait");
    QTest::addColumn<bool>("valid");
    const int none = int(MailSettings::Security::None);
    const int starttls = int(MailSettings::Security::StartTls);
    QTest::newRow("ok") << u"smtp.example.com"_s << starttls << u"alice"_s << u"alice@example.com"_s
                        << qint64(3600) << true;
    QTest::newRow("ip") << u"192.0.2.1"_s << starttls << QString() << u"a@example.com"_s
                        << qint64(3600) << true;
    QTest::newRow("ipv6") << u"::1"_s << none << u"alice"_s << u"a@example.com"_s << qint64(1)
                          << true;
    QTest::newRow("no host") << QString() << starttls << QString() << u"a@example.com"_s
                             << qint64(3600) << false;
    QTest::newRow("host with path") << u"smtp.example.com/x"_s << starttls << QString()
                                    << u"a@example.com"_s << qint64(3600) << false;
    QTest::newRow("host with user") << u"eve@smtp.example.com"_s << starttls << QString()
                                    << u"a@example.com"_s << qint64(3600) << false;
    QTest::newRow("host with CRLF") << u"smtp.example.com\r\nX"_s << starttls << QString()
                                    << u"a@example.com"_s << qint64(3600) << false;
    QTest::newRow("bad from") << u"smtp.example.com"_s << starttls << QString() << u"alice"_s
                              << qint64(3600) << false;
    QTest::newRow("clear password far") << u"smtp.example.com"_s << none << u"alice"_s
                                        << u"a@example.com"_s << qint64(3600) << false;
    QTest::newRow("clear, no user")
        << u"smtp.example.com"_s << none << QString() << u"a@example.com"_s << qint64(3600) << true;
    QTest::newRow("clear password loopback")
        << u"127.0.0.1"_s << none << u"alice"_s << u"a@example.com"_s << qint64(3600) << true;
    QTest::newRow("user CR") << u"smtp.example.com"_s << starttls << u"ali\rce"_s
                             << u"a@example.com"_s << qint64(3600) << false;
    QTest::newRow("wait 0") << u"smtp.example.com"_s << starttls << QString() << u"a@example.com"_s
                            << qint64(0) << false;
    QTest::newRow("wait 31 days") << u"smtp.example.com"_s << starttls << QString()
                                  << u"a@example.com"_s << qint64(31 * 86400) << false;
}

void tst_MailMessage::settingsValidation()
{
    QFETCH(QString, host);
    QFETCH(int, security);
    QFETCH(QString, user);
    QFETCH(QString, from);
    QFETCH(qint64, wait);
    QFETCH(bool, valid);
    MailSettings s;
    s.enabled = true;
    s.host = host;
    s.security = MailSettings::Security(security);
    s.user = user;
    s.fromAddress = from;
    s.waitSeconds = wait;
    QString error;
    QCOMPARE(s.validate(&error), valid);
    QCOMPARE(error.isEmpty(), valid);
    s.enabled = false; // off: whatever is half filled is kept
    QVERIFY(s.validate(&error));
}

QTEST_APPLESS_MAIN(tst_MailMessage)
#include "tst_mailmessage.moc"
