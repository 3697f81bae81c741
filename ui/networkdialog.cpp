// SPDX-License-Identifier: GPL-3.0-or-later
#include "networkdialog.h"

#include "ipmsgtext.h" // issue 17

#include "messenger/messenger.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

static constexpr int RefreshMs = 1000;

NetworkDialog::NetworkDialog(const Messenger &messenger, QWidget *parent)
    : QDialog(parent)
    , m_messenger(messenger)
    , m_identity(new QLabel(this))
    , m_discovery(new QLabel(this))
    , m_selfTest(new QLabel(this))
    , m_counters(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_targets(new QTreeWidget(this))
    , m_changes(new QTreeWidget(this))
    , m_ipmsg(new QLabel(this))
{
    setWindowTitle(tr("Network"));
    resize(560, 460);
    for (QLabel *l : {m_identity, m_discovery, m_selfTest, m_counters, m_hint, m_ipmsg}) {
        l->setWordWrap(true);
        l->setTextFormat(Qt::PlainText);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_targets->setHeaderLabels(
        {tr("Interface"), tr("Announces to"), tr("Sent"), tr("Errors"), tr("Heard")});
    m_targets->setRootIsDecorated(false);
    m_targets->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_changes->setHeaderLabels({tr("Network change at"), tr("What changed")});
    m_changes->setRootIsDecorated(false);
    m_changes->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_identity);
    layout->addWidget(m_discovery);
    layout->addWidget(m_ipmsg); // issue 17
    layout->addWidget(m_targets, 1);
    layout->addWidget(m_counters);
    layout->addWidget(m_selfTest);
    layout->addWidget(m_hint);
    layout->addWidget(m_changes);
    layout->addWidget(buttons);

    connect(&m_timer, &QTimer::timeout, this, &NetworkDialog::refresh);
    m_timer.start(RefreshMs);
    // Issue 17: at once when it starts, stops or fails (Settings, a port taken).
    connect(&m_messenger, &Messenger::ipmsgStatusChanged, this, &NetworkDialog::refresh);
    refresh();
}

void NetworkDialog::refresh()
{
    const NetworkStatus s = m_messenger.networkStatus();
    // The addresses carry the port ("TCP port 35547 at 127.0.0.1:35547" said it twice).
    m_identity->setText(tr("This computer: %1, ID %2\nListening for peers (TCP) at %3")
                            .arg(s.name, s.id, s.listenAddresses.join(QStringLiteral(", "))));
    showChanges(s.changes);
    m_ipmsg->setText(IpmsgText::networkLine(s)); // issue 17
    m_targets->clear();
    if (!s.discoveryEnabled) {
        m_discovery->setText(
            s.warnings.isEmpty()
                ? tr("LAN discovery is off. Peers can still be reached by "
                     "address (Ctrl+N).")
                : tr("LAN discovery could not start: %1").arg(s.warnings.join(QLatin1Char(' '))));
        m_selfTest->clear();
        m_counters->clear();
        m_hint->clear();
        return;
    }
    const DiscoveryStats &d = s.discovery;
    m_discovery->setText(
        tr("LAN discovery on UDP port %1, announcing to %2.")
            .arg(d.port)
            .arg(d.defaultTargets ? tr("every interface") : tr("the configured addresses")));
    quint64 heardFromOthers = 0;
    for (const DiscoveryStats::Target &t : d.targets) {
        auto *item = new QTreeWidgetItem(m_targets);
        item->setText(0, t.interfaceName.isEmpty() ? tr("(by address)") : t.interfaceName);
        item->setText(1, t.address);
        item->setText(2, QString::number(t.sent));
        item->setText(3, QString::number(t.sendErrors));
        item->setText(4, QString::number(d.receivedByInterface.value(t.interfaceName)));
    }
    for (auto it = d.receivedByInterface.cbegin(); it != d.receivedByInterface.cend(); ++it)
        heardFromOthers += it.value();
    heardFromOthers -= qMin(heardFromOthers, d.ownEchoes);
    m_counters->setText(tr("Peers heard now: %1. Datagrams from others: %2; dropped as "
                           "malformed: %3, over the rate limit: %4, from other networks: %5.")
                            .arg(d.peersPresent)
                            .arg(heardFromOthers)
                            .arg(d.malformed)
                            .arg(d.rateLimited)
                            .arg(d.foreignSource));
    const bool selfTest = d.ownEchoes > 0;
    m_selfTest->setText(selfTest ? tr("Self-test passed: our own announcements come back.")
                                 : tr("Self-test failed: our own announcements did not come "
                                      "back. Broadcasts may be blocked on this computer."));
    if (s.hint == QLatin1String("no-peers-heard")) {
        m_hint->setText(tr("Shoal has not heard any other Shoal on this network. A firewall or "
                           "the Wi-Fi may block broadcasts; send an invite link instead."));
    } else if (heardFromOthers == 0) {
        m_hint->setText(
            tr("Nothing has been heard from other peers yet. If colleagues run Shoal on this "
               "network, check that a firewall lets UDP port %1 and TCP port %2 through, and "
               "that the Wi-Fi does not isolate clients (guest networks often do). You can "
               "always connect by address with Ctrl+N.")
                .arg(d.port)
                .arg(s.tcpPort));
    } else {
        m_hint->clear();
    }
}

void NetworkDialog::showChanges(const QList<NetworkChange> &changes)
{
    // Newest first: the one that matters is the one just seen.
    m_changes->clear();
    const auto join = [](const QList<QHostAddress> &addresses) {
        QStringList out;
        for (const QHostAddress &a : addresses)
            out.append(a.toString());
        return out.join(QStringLiteral(", "));
    };
    for (auto it = changes.crbegin(); it != changes.crend(); ++it) {
        QStringList what;
        if (it->resumed)
            what.append(tr("woke from sleep"));
        if (!it->up.isEmpty())
            what.append(tr("up: %1").arg(it->up.join(QStringLiteral(", "))));
        if (!it->down.isEmpty())
            what.append(tr("down: %1").arg(it->down.join(QStringLiteral(", "))));
        if (!it->added.isEmpty())
            what.append(tr("new address: %1").arg(join(it->added)));
        if (!it->removed.isEmpty())
            what.append(tr("address gone: %1").arg(join(it->removed)));
        auto *item = new QTreeWidgetItem(m_changes);
        item->setText(0, QLocale().toString(it->at.toLocalTime(), QLocale::ShortFormat));
        item->setText(1, what.join(QStringLiteral("; ")));
    }
    m_changes->setVisible(!changes.isEmpty());
}
