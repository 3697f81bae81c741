// SPDX-License-Identifier: GPL-3.0-or-later
// How long the window is held up by messages that are costly to lay out: the real main window,
// its conversation holding 34 messages of 64 KiB each, sent over loopback by a second peer in
// this process. While the window lays out, its event loop (and with it every connection: acks,
// keepalives) waits, so each figure is also how late the network is served.
#include "layoutbench.h"
#include "benchwait.h"

#include "conversationpane.h"
#include "identity/identity.h"
#include "mainwindow.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "peerlistview.h"
#include "protocol/messages.h"
#include "storage/messagestore.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

QString pathologicalText(PathologicalText kind)
{
    QString text;
    switch (kind) {
    case PathologicalText::UnbrokenWord:
        text = QString(Protocol::MaxTextBytes, u'x');
        break;
    case PathologicalText::CombiningMarks: // one letter under 32,767 acute accents (2 bytes each)
        text = u"a"_s + QString((Protocol::MaxTextBytes - 1) / 2, QChar(0x0301));
        break;
    case PathologicalText::ZwjEmoji: // 👩 joined by ZWJ: one grapheme cluster of 9,362 emoji
        while ((text.size() / 3 + 1) * 7 <= Protocol::MaxTextBytes)
            text += u"\U0001F469\u200D"_s;
        text.chop(1);
        break;
    }
    return text;
}

namespace {

constexpr int Messages = 34;
constexpr int ScrollPages = 10;

bool waitFor(const char *what, const std::function<bool()> &done, int timeoutMs = 60000)
{
    return benchWait(what, done, timeoutMs);
}

std::unique_ptr<Messenger> makePeer(const QString &name)
{
    QString error;
    MessengerConfig config;
    config.name = name;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    auto m = std::make_unique<Messenger>(*Identity::generate(&error), config);
    if (!m->start())
        qFatal("cannot listen: %s", qPrintable(m->errorString()));
    return m;
}

double msSince(const QElapsedTimer &t)
{
    return t.nsecsElapsed() / 1e6;
}

// Everything posted (layouts, scrolls) runs, then the window paints.
void settle(QWidget &window)
{
    QCoreApplication::processEvents();
    window.repaint();
}

struct Figures
{
    double open = 0;
    double scroll = 0;     // ScrollPages pages down from the top, one at a time
    double scrollStep = 0; // the slowest page
    double resize = 0;
    double arrival = 0; // a short message arrives in the open conversation
};

Figures measure(const QList<PathologicalText> &kinds)
{
    auto alice = makePeer(u"Alice"_s);
    auto bob = makePeer(u"Bob"_s);
    QString error;
    bob->connectToAddress(u"127.0.0.1:%1"_s.arg(alice->port()), &error);
    if (!waitFor("Bob and Alice to know each other", [&] {
            return alice->peers()->peer(bob->id()).has_value()
                   && bob->peers()->peer(alice->id()).has_value();
        }))
        qFatal("Bob did not connect");
    for (int i = 0; i < Messages; ++i)
        if (!bob->sendMessage(alice->id(), pathologicalText(kinds.at(i % kinds.size())), &error))
            qFatal("cannot send: %s", qPrintable(error));
    if (!waitFor("the messages stored",
                 [&] { return alice->history().count(bob->id()) == Messages; }))
        qFatal("%lld of the messages arrived", alice->history().count(bob->id()));

    MainWindow window(*alice, ProfileSettings{});
    window.resize(900, 700);
    window.show();
    settle(window);
    QListView *view = window.conversation()->messageView();
    Figures f;

    QElapsedTimer t;
    t.start();
    window.peerList()->selectPeer(bob->id()); // as a click on Bob does
    settle(window);
    f.open = msSince(t);

    QScrollBar *bar = view->verticalScrollBar();
    bar->setValue(bar->minimum());
    settle(window);
    t.restart();
    for (int page = 0; page < ScrollPages && bar->value() < bar->maximum(); ++page) {
        QElapsedTimer step;
        step.start();
        bar->setValue(bar->value() + bar->pageStep());
        settle(window);
        f.scrollStep = qMax(f.scrollStep, msSince(step));
    }
    f.scroll = msSince(t);

    t.restart();
    window.resize(700, 700);
    QCoreApplication::processEvents();
    view->doItemsLayout(); // what the list does 100 ms after a resize, without the wait
    settle(window);
    f.resize = msSince(t);

    t.restart();
    bob->sendMessage(alice->id(), u"one more"_s, &error);
    if (!waitFor(
            "the short message shown",
            [&] { return view->model()->rowCount() == Messages + 1; },
            600000))
        qFatal("the short message did not arrive");
    settle(window);
    f.arrival = msSince(t);
    return f;
}

} // namespace

int runLayoutBench()
{
    const struct
    {
        const char *name;
        QList<PathologicalText> kinds;
    } cases[] = {
        {"one unbroken word", {PathologicalText::UnbrokenWord}},
        {"a letter under 32,767 combining marks", {PathologicalText::CombiningMarks}},
        {"9,362 emoji joined by ZWJ", {PathologicalText::ZwjEmoji}},
        {"the three in turn",
         {PathologicalText::UnbrokenWord,
          PathologicalText::CombiningMarks,
          PathologicalText::ZwjEmoji}},
    };
    std::printf("| %-42s | %9s | %9s | %9s | %9s | %9s\n",
                "34 messages of 64 KiB, each",
                "open",
                "10 pages",
                "worst pg",
                "resize",
                "+1 short");
    std::printf("|%s|%s|%s|%s|%s|%s\n",
                QByteArray(44, '-').constData(),
                QByteArray(11, '-').constData(),
                QByteArray(11, '-').constData(),
                QByteArray(11, '-').constData(),
                QByteArray(11, '-').constData(),
                QByteArray(11, '-').constData());
    for (const auto &c : cases) {
        const Figures f = measure(c.kinds);
        std::printf("| %-42s | %9.1f | %9.1f | %9.1f | %9.1f | %9.1f\n",
                    c.name,
                    f.open,
                    f.scroll,
                    f.scrollStep,
                    f.resize,
                    f.arrival);
        std::fflush(stdout);
    }
    std::printf("\nms, main window 900x700, QT_QPA_PLATFORM=%s. open: a click on the peer until "
                "painted; 10 pages: scrolling down from the top a page at a time, each painted; "
                "resize: to 700 wide, with the list's layout that follows; +1 short: a short "
                "message arrives in the open conversation until painted. The window's event "
                "loop also serves the network: each figure holds up acks as long.\n",
                qgetenv("QT_QPA_PLATFORM").constData());
    return 0;
}
