// SPDX-License-Identifier: GPL-3.0-or-later
// A Chinese user sees Chinese: the embedded catalogue loads and covers what users read.
#include "appoptions.h"
#include "messenger/messenger.h"
#include "net/peeraddress.h"
#include "net/peerconnection.h"

#include <QDirIterator>
#include <QTest>
#include <QTranslator>

using namespace Qt::StringLiterals;

class tst_Translations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catalogueEmbedded();
    void chineseShownWhenAsked();
    void englishByDefault();
};

void tst_Translations::catalogueEmbedded()
{
    QTranslator translator;
    QVERIFY(translator.load(u":/i18n/shoal_zh_CN.qm"_s));
    QVERIFY(!translator.isEmpty());
}

void tst_Translations::chineseShownWhenAsked()
{
    installTranslations(*QCoreApplication::instance(), u"zh_CN"_s);
    QCOMPARE(PeerConnection::describe(PeerConnection::Error::ConnectionRefused),
             u"连接被拒绝。对方是否正在运行 Shoal？端口是否正确？"_s);
    QString error;
    QVERIFY(!PeerAddress::parse(u"host:0"_s, DefaultPort, &error));
    QCOMPARE(error, u"“0”不是有效端口；请使用 1 到 65535 之间的数字。"_s);
    // Clean up for the next test.
    const auto translators = QCoreApplication::instance()->findChildren<QTranslator *>();
    for (QTranslator *t : translators) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
}

void tst_Translations::englishByDefault()
{
    installTranslations(*QCoreApplication::instance(), u"en"_s);
    QCOMPARE(PeerConnection::describe(PeerConnection::Error::ConnectionRefused),
             u"The connection was refused. Is Shoal running there, and is the port right?"_s);
}

QTEST_GUILESS_MAIN(tst_Translations)
#include "tst_translations.moc"
