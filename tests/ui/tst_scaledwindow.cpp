// SPDX-License-Identifier: GPL-3.0-or-later
// At QT_SCALE_FACTOR=2 (a high-density screen, or a person who wants everything bigger) the
// window opens inside the screen, with its whole toolbar and status line on it.
#include "mainwindow.h"
#include "net/networksafety.h"
#include "testpeer.h"

#include <QApplication>
#include <QScreen>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_ScaledWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultWindowFitsTheScreen();
};

void tst_ScaledWindow::defaultWindowFitsTheScreen()
{
    QVERIFY(NetworkSafety::loopbackOnly());
    QCOMPARE(qApp->devicePixelRatio(), 2.0);
    auto alice = makePeer(u"Alice"_s);
    MainWindow window(*alice, ProfileSettings{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QRect screen = window.screen()->availableGeometry();
    QVERIFY2(screen.contains(window.frameGeometry()),
             qPrintable(u"window %1x%2 on a screen of %3x%4"_s.arg(window.frameGeometry().width())
                            .arg(window.frameGeometry().height())
                            .arg(screen.width())
                            .arg(screen.height())));
    // Not shrunk below what its contents need either.
    QVERIFY(window.width() >= window.minimumSizeHint().width());
    QVERIFY(window.height() >= window.minimumSizeHint().height());
}

int main(int argc, char *argv[])
{
    // Before the application exists: that is when Qt reads it. Network safety first too.
    qputenv("QT_SCALE_FACTOR", "2");
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QApplication app(argc, argv);
    tst_ScaledWindow test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_scaledwindow.moc"
