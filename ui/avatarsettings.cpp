// SPDX-License-Identifier: GPL-3.0-or-later
#include "avatarsettings.h"

#include "avatarcropdialog.h"
#include "avatarpainter.h"
#include "messenger/messenger.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>

namespace {
constexpr int PreviewSide = 48;
// A picture the person picks may be a large photo; not one that needs more than this.
constexpr int ReadLimitMiB = 256;
} // namespace

AvatarSettings::AvatarSettings(Messenger &messenger, const QString &name, QWidget *parent)
    : QWidget(parent)
    , m_messenger(messenger)
    , m_name(name)
    , m_preview(new QLabel(this))
    , m_choose(new QPushButton(tr("&Picture…"), this))
    , m_remove(new QPushButton(tr("Remove picture"), this))
{
    m_preview->setFixedSize(PreviewSide, PreviewSide);
    m_preview->setAccessibleName(tr("Your picture"));
    m_choose->setToolTip(tr("Choose a picture that peers see beside your name"));
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_preview);
    row->addWidget(m_choose);
    row->addWidget(m_remove);
    row->addStretch(1);
    connect(m_choose, &QPushButton::clicked, this, &AvatarSettings::choose);
    connect(m_remove, &QPushButton::clicked, this, [this] { m_messenger.clearAvatar(); });
    connect(&m_messenger, &Messenger::avatarChanged, this, [this](const QString &peerId) {
        if (peerId == m_messenger.id())
            refresh();
    });
    refresh();
}

void AvatarSettings::refresh()
{
    const QImage own = m_messenger.avatar(m_messenger.id());
    m_preview->setPixmap(
        AvatarPainter::pixmap(PreviewSide, devicePixelRatioF(), own, m_name, m_messenger.id()));
    m_remove->setEnabled(!own.isNull());
}

void AvatarSettings::choose()
{
    QStringList patterns;
    for (const QByteArray &format : QImageReader::supportedImageFormats())
        patterns.append(QStringLiteral("*.") + QString::fromLatin1(format));
    const QString path = QFileDialog::getOpenFileName(this,
                                                      tr("Choose a picture"),
                                                      QStandardPaths::writableLocation(
                                                          QStandardPaths::PicturesLocation),
                                                      tr("Pictures (%1)").arg(patterns.join(u' ')));
    if (path.isEmpty())
        return;
    QImageReader reader(path);
    reader.setAutoTransform(true);
    QImageReader::setAllocationLimit(ReadLimitMiB);
    QImage image;
    if (!reader.read(&image)) {
        QMessageBox::warning(this,
                             tr("Picture"),
                             tr("%1 could not be read as a picture: %2")
                                 .arg(QDir::toNativeSeparators(path), reader.errorString()));
        return;
    }
    AvatarCropDialog crop(image, this);
    if (crop.exec() != QDialog::Accepted)
        return;
    usePicture(image, crop.crop());
}

bool AvatarSettings::usePicture(const QImage &image, const QRect &crop)
{
    QString error;
    if (m_messenger.setAvatar(image, &error, crop))
        return true;
    QMessageBox::warning(this, tr("Picture"), error);
    return false;
}
