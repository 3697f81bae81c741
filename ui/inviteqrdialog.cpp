// SPDX-License-Identifier: GPL-3.0-or-later
#include "inviteqrdialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <qrencode.h>

#include <memory>

namespace {

constexpr int QuietZone = 4;    // modules of white around the code, as the standard asks
constexpr int ModulePixels = 6; // on screen: big enough for a phone camera across a desk

} // namespace

QImage InviteQrDialog::encode(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    // Byte mode on the exact bytes: base64url is case-sensitive, so alphanumeric mode (upper
    // case only) would not do.
    std::unique_ptr<QRcode, decltype(&QRcode_free)>
        qr(QRcode_encodeData(int(bytes.size()),
                             reinterpret_cast<const unsigned char *>(bytes.constData()),
                             0,
                             QR_ECLEVEL_M),
           &QRcode_free);
    if (!qr)
        return {};
    const int side = qr->width + 2 * QuietZone;
    QImage image(side, side, QImage::Format_Mono);
    image.setColor(0, qRgb(255, 255, 255));
    image.setColor(1, qRgb(0, 0, 0));
    image.fill(0);
    for (int y = 0; y < qr->width; ++y) {
        for (int x = 0; x < qr->width; ++x) {
            if (qr->data[y * qr->width + x] & 1) // bit 0: the module is dark
                image.setPixel(x + QuietZone, y + QuietZone, 1);
        }
    }
    return image;
}

InviteQrDialog::InviteQrDialog(const QString &link, QWidget *parent)
    : QDialog(parent)
    , m_link(link)
    , m_code(encode(link))
    , m_image(new QLabel(this))
    , m_text(new QPlainTextEdit(link, this))
    , m_copy(new QPushButton(tr("&Copy link"), this))
{
    setWindowTitle(tr("Your invite"));
    auto *intro = new QLabel(tr("Whoever scans this code, or pastes the link below in Shoal's "
                                "Connect dialog, reaches you; your key's fingerprint in it "
                                "proves it is you."),
                             this);
    intro->setWordWrap(true);
    // Scaled without smoothing: every module stays a crisp square.
    m_image->setPixmap(QPixmap::fromImage(m_code.scaled(m_code.size() * ModulePixels)));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setAccessibleName(tr("Invite QR code"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_text->setWordWrapMode(QTextOption::WrapAnywhere);
    m_text->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // wrapped: nothing to scroll
    m_text->setMaximumHeight(m_text->fontMetrics().lineSpacing() * 5);
    m_text->setAccessibleName(tr("Invite link"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_copy, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_link);
        m_copy->setText(tr("Copied"));
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_image);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
}
