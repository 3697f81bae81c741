// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectdialog.h"

#include "messenger/messenger.h"
#include "uicolors.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QStyleOptionFrame>
#include <QVBoxLayout>

#include <utility>

ConnectDialog::ConnectDialog(Messenger &messenger, QWidget *parent)
    : QDialog(parent)
    , m_messenger(messenger)
    , m_address(new QLineEdit(this))
    , m_status(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to peer"));
    m_address->setPlaceholderText(
        tr("192.168.1.20:%1, alice-laptop or an invite link (shoal:invite?…)").arg(DefaultPort));
    // Wide enough for the example in every language (a fixed 360 px cut the Chinese one): the
    // text, the line edit's own margins (2 px a side in Qt) and its frame.
    QStyleOptionFrame frame;
    frame.initFrom(m_address);
    frame.lineWidth = style()->pixelMetric(QStyle::PM_DefaultFrameWidth, &frame, m_address);
    const QMargins margins = m_address->textMargins();
    const QSize text(m_address->fontMetrics().horizontalAdvance(m_address->placeholderText())
                         + margins.left() + margins.right() + 2 * 2 + 2,
                     m_address->fontMetrics().height());
    m_address->setMinimumWidth(
        qMax(360, style()->sizeFromContents(QStyle::CT_LineEdit, &frame, text, m_address).width()));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->hide();
    QPushButton *connectButton = m_buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setDefault(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Address or invite link:"), m_address);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::tryConnect);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_address, &QLineEdit::textEdited, m_status, &QWidget::hide);
    connect(&m_messenger,
            &Messenger::connectFinished,
            this,
            [this](int attempt, const QString &peerId, const QString &error) {
                if (attempt != m_attempt)
                    return;
                m_attempt = 0;
                finished(peerId, error);
            });
    // An invite link: done when its peer is online (its key matched the link's), or refused.
    connect(&m_messenger, &Messenger::peerUpdated, this, [this](const PeerInfo &peer) {
        if (!m_invited.isEmpty() && peer.id == m_invited && peer.online)
            finished(std::exchange(m_invited, {}), {});
    });
    connect(&m_messenger,
            &Messenger::identityMismatch,
            this,
            [this](const QString &peerId, const QString &warning) {
                if (!m_invited.isEmpty() && peerId == m_invited)
                    finished(std::exchange(m_invited, {}), warning);
            });
}

void ConnectDialog::connectTo(const QString &text)
{
    m_address->setText(text);
    m_status->hide();
    tryConnect();
}

void ConnectDialog::finished(const QString &peerId, const QString &error)
{
    m_address->setEnabled(true);
    for (QAbstractButton *b : m_buttons->buttons())
        b->setEnabled(true);
    if (!error.isEmpty()) {
        showError(error);
        return;
    }
    Q_EMIT peerConnected(peerId);
    accept();
}

void ConnectDialog::tryConnect()
{
    if (m_attempt || !m_invited.isEmpty())
        return;
    const QString text = m_address->text().trimmed();
    if (text.startsWith(u"shoal:", Qt::CaseInsensitive)) {
        tryInvite(text);
        return;
    }
    QString error;
    m_attempt = m_messenger.connectToAddress(text, &error);
    if (!m_attempt) {
        showError(error);
        return;
    }
    connecting(text);
}

void ConnectDialog::tryInvite(const QString &link)
{
    QString error, peerId;
    if (!m_messenger.connectInvite(link, &error, &peerId)) {
        showError(error);
        return;
    }
    const auto peer = m_messenger.peer(peerId);
    if (peer && peer->online) { // already connected
        finished(peerId, {});
        return;
    }
    m_invited = peerId;
    const QString name = peer && !peer->name.isEmpty() ? peer->name
                                                       : PeerListModel::shortId(peerId);
    connecting(name);
    // It may be away: the link is not used up, and closing this dialog stops nothing.
    m_status->setText(tr("Connecting to %1… Shoal keeps trying until %1 answers, also after "
                         "you close this window.")
                          .arg(name));
    fitHeight();
}

void ConnectDialog::connecting(const QString &what)
{
    UiColors::showAsError(m_status, false);
    m_status->setText(tr("Connecting to %1…").arg(what));
    m_status->show();
    fitHeight();
    m_address->setEnabled(false);
    for (QAbstractButton *b : m_buttons->buttons()) {
        if (m_buttons->buttonRole(b) == QDialogButtonBox::AcceptRole)
            b->setEnabled(false);
    }
}

void ConnectDialog::showError(const QString &error)
{
    UiColors::showAsError(m_status);
    m_status->setText(error);
    m_status->show();
    fitHeight();
    m_address->setFocus();
    m_address->selectAll();
}

void ConnectDialog::fitHeight()
{
    // A dialog keeps its size when a wrapped label gains a line; the second line of an error
    // was cut off. Grow to what the text needs at this width.
    layout()->activate();
    const int needed = layout()->totalHeightForWidth(width());
    if (needed > height())
        resize(width(), needed);
}
