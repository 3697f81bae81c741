// SPDX-License-Identifier: GPL-3.0-or-later
#include "fileitem.h"

#include "messenger/messenger.h"
#include "uicolors.h"

#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QHash>
#include <QLocale>
#include <QMimeDatabase>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionButton>
#include <QStyleOptionProgressBar>
#include <QStyleOptionViewItem>
#include <QUrl>

#include <climits>
#include <cmath>

namespace {

constexpr int IconSide = 32;
constexpr int Gap = 4;
constexpr int ButtonPadding = 10;
constexpr int BarHeight = 8;

QFont smallFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.8);
    return small;
}

QFont boldFont(const QFont &font)
{
    QFont bold = font;
    bold.setBold(true);
    return bold;
}

bool running(const TransferInfo &t)
{
    return t.state == TransferState::Running || t.state == TransferState::Paused;
}

} // namespace

FileItem::FileItem(const TransferInfo &transfer, bool known)
    : transfer(transfer)
    , known(known)
{}

QList<FileAction> FileItem::actions() const
{
    if (!known)
        return {};
    const TransferInfo &t = transfer;
    switch (t.state) {
    case TransferState::Offered:
        if (t.outgoing)
            return {FileAction::Cancel};
        return {FileAction::Accept, FileAction::SaveAs, FileAction::Decline};
    case TransferState::Accepted:
        return {FileAction::Cancel};
    case TransferState::Running:
        return {FileAction::Pause, FileAction::Cancel};
    case TransferState::Paused:
        return {FileAction::Resume, FileAction::Cancel};
    case TransferState::Done:
        if (t.outgoing)
            return folderPath(t).isEmpty() ? QList<FileAction>{}
                                           : QList<FileAction>{FileAction::ShowInFolder};
        if (openPath(t).isEmpty())
            return {};
        return {FileAction::Open, FileAction::ShowInFolder};
    case TransferState::Failed:
    case TransferState::Declined:
    case TransferState::Cancelled:
        return {};
    }
    return {};
}

QString FileItem::actionText(FileAction action)
{
    switch (action) {
    case FileAction::Accept:
        return tr("Accept");
    case FileAction::SaveAs:
        return tr("Save as…");
    case FileAction::Decline:
        return tr("Decline");
    case FileAction::Pause:
        return tr("Pause");
    case FileAction::Resume:
        return tr("Resume");
    case FileAction::Cancel:
        return tr("Cancel");
    case FileAction::Open:
        return tr("Open");
    case FileAction::ShowInFolder:
        return tr("Show in folder");
    }
    return {};
}

QString FileItem::sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1);
}

QString FileItem::timeLeftText(qint64 seconds)
{
    if (seconds < 60)
        return tr("%n s left", nullptr, int(qMax<qint64>(seconds, 1)));
    const qint64 minutes = (seconds + 59) / 60;
    if (minutes < 60)
        return tr("%n min left", nullptr, int(minutes));
    return tr("%1 h %2 min left").arg(minutes / 60).arg(minutes % 60);
}

QString FileItem::detailText() const
{
    if (!known)
        return {};
    const TransferInfo &t = transfer;
    QString detail = sizeText(t.size);
    if (t.folder)
        detail = tr("folder, %1").arg(detail);
    if (t.files != 1 || t.folder)
        detail += QStringLiteral(" · ")
                  + (t.files == 1 ? tr("1 file")
                                  : tr("%n files", nullptr, int(qMin<qint64>(t.files, INT_MAX))));
    if (!peerName.isEmpty()) { // the Transfers window: with whom, and when
        detail += QStringLiteral(" · ")
                  + (t.outgoing ? tr("to %1").arg(peerName) : tr("from %1").arg(peerName));
        if (t.createdAt.isValid())
            detail += QStringLiteral(" · ")
                      + QLocale().toString(t.createdAt.toLocalTime(), QLocale::ShortFormat);
    }
    return detail;
}

QString FileItem::stateText() const
{
    if (!known)
        return tr("File transfer");
    const TransferInfo &t = transfer;
    switch (t.state) {
    case TransferState::Offered:
        if (!t.outgoing)
            return tr("Offered to you");
        return t.seen ? tr("Waiting for the peer to accept")
                      : tr("Waiting for the peer to come online");
    case TransferState::Accepted:
        return tr("Accepted, waiting its turn");
    case TransferState::Running:
        return t.outgoing ? tr("Sending") : tr("Receiving");
    case TransferState::Paused:
        if (!t.error.isEmpty())
            return tr("Paused: %1").arg(t.error);
        return t.pausedByPeer ? tr("Paused by the peer") : tr("Paused");
    case TransferState::Done:
        if (t.outgoing)
            return tr("Sent");
        return t.savedPath.isEmpty()
                   ? tr("Received")
                   : tr("Received, saved as %1").arg(QDir::toNativeSeparators(t.savedPath));
    case TransferState::Failed:
        return t.error.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(t.error);
    case TransferState::Declined:
        return t.outgoing ? tr("Declined by the peer") : tr("Declined");
    case TransferState::Cancelled:
        return tr("Cancelled");
    }
    return {};
}

bool FileItem::showsProgress() const
{
    return known && running(transfer);
}

QString FileItem::progressText() const
{
    const TransferInfo &t = transfer;
    QString text = tr("%1 of %2").arg(sizeText(t.bytesDone), sizeText(t.size));
    if (t.state != TransferState::Running || t.bytesPerSecond < 1)
        return text;
    text += QStringLiteral(" · ") + tr("%1/s").arg(sizeText(qint64(t.bytesPerSecond)));
    const qint64 left = qMax<qint64>(0, t.size - t.bytesDone);
    text += QStringLiteral(" · ")
            + timeLeftText(qint64(std::ceil(double(left) / t.bytesPerSecond)));
    return text;
}

QString FileItem::accessibleText() const
{
    QStringList parts{transfer.name};
    if (const QString detail = detailText(); !detail.isEmpty())
        parts.append(detail);
    parts.append(stateText());
    if (showsProgress())
        parts.append(progressText());
    return parts.join(QStringLiteral(", "));
}

QIcon FileItem::icon() const
{
    // Kept for the program's life (not destroyed after the application, as a static would be).
    static auto &cache = *new QHash<QString, QIcon>;
    const QMimeDatabase mimes;
    const QMimeType mime = transfer.folder
                               ? mimes.mimeTypeForName(QStringLiteral("inode/directory"))
                               : mimes.mimeTypeForFile(transfer.name, QMimeDatabase::MatchExtension);
    const auto it = cache.constFind(mime.name());
    if (it != cache.cend())
        return *it;
    QIcon icon = QIcon::fromTheme(mime.iconName());
    if (icon.isNull())
        icon = QIcon::fromTheme(mime.genericIconName());
    if (icon.isNull())
        icon = QApplication::style()->standardIcon(transfer.folder ? QStyle::SP_DirIcon
                                                                   : QStyle::SP_FileIcon);
    cache.insert(mime.name(), icon);
    return icon;
}

FileItem::Layout FileItem::layout(QPoint topLeft, int width, const QFont &font) const
{
    const QFontMetrics fm(font);
    const QFontMetrics bfm(boldFont(font));
    const QFontMetrics sfm(smallFont(font));
    const int textLeft = topLeft.x() + IconSide + 2 * Gap;
    const int textWidth = qMax(40, width - IconSide - 2 * Gap);
    Layout l;
    int y = topLeft.y();
    l.name = QRect(textLeft, y, textWidth, bfm.height());
    y = l.name.bottom() + 1;
    if (!detailText().isEmpty()) {
        l.detail = QRect(textLeft, y, textWidth, sfm.height());
        y = l.detail.bottom() + 1;
    }
    l.state = QRect(textLeft, y, textWidth, sfm.height());
    y = l.state.bottom() + 1;
    l.icon = QRect(topLeft.x(),
                   topLeft.y() + qMax(0, (y - topLeft.y() - IconSide) / 2),
                   IconSide,
                   IconSide);
    y = qMax(y, l.icon.bottom() + 1);
    if (showsProgress()) {
        l.bar = QRect(topLeft.x(), y + Gap, width, BarHeight);
        l.progress = QRect(topLeft.x(), l.bar.bottom() + 1 + Gap / 2, width, sfm.height());
        y = l.progress.bottom() + 1;
    }
    if (!thumbnail.isNull()) {
        const QSize size = thumbnail.size().scaled(QSize(ThumbnailSide, ThumbnailSide),
                                                   Qt::KeepAspectRatio);
        l.thumbnail = QRect(QPoint(topLeft.x(), y + Gap), size.boundedTo(thumbnail.size()));
        y = l.thumbnail.bottom() + 1;
    }
    const QList<FileAction> buttons = actions();
    if (!buttons.isEmpty()) {
        int x = topLeft.x();
        const int height = fm.height() + 8;
        y += Gap;
        for (FileAction action : buttons) {
            const int w = fm.horizontalAdvance(actionText(action)) + 2 * ButtonPadding;
            if (x > topLeft.x() && x + w > topLeft.x() + width) { // wraps on a narrow item
                x = topLeft.x();
                y += height + Gap;
            }
            l.buttons.append({action, QRect(x, y, w, height)});
            x += w + Gap;
        }
        y += height;
    }
    l.bounds = QRect(topLeft, QPoint(topLeft.x() + width - 1, y - 1));
    return l;
}

void FileItem::paint(QPainter *painter,
                     const Layout &l,
                     const QStyleOptionViewItem &option,
                     const QColor &background) const
{
    const QPalette &pal = option.palette;
    QStyle *style = option.widget ? option.widget->style() : QApplication::style();
    painter->save();
    icon().paint(painter, l.icon);

    painter->setFont(boldFont(option.font));
    painter->setPen(pal.color(QPalette::Text));
    painter->drawText(l.name,
                      Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(painter->font())
                          .elidedText(transfer.name, Qt::ElideMiddle, l.name.width()));
    const QFont small = smallFont(option.font);
    const QFontMetrics sfm(small);
    painter->setFont(small);
    painter->setPen(UiColors::dimText(pal, background));
    if (l.detail.isValid())
        painter->drawText(l.detail,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          sfm.elidedText(detailText(), Qt::ElideRight, l.detail.width()));
    if (known && (transfer.state == TransferState::Failed || !transfer.error.isEmpty()))
        painter->setPen(UiColors::error(pal));
    painter->drawText(l.state,
                      Qt::AlignLeft | Qt::AlignVCenter,
                      sfm.elidedText(stateText(), Qt::ElideMiddle, l.state.width()));

    if (l.bar.isValid()) {
        QStyleOptionProgressBar bar;
        if (option.widget)
            bar.initFrom(option.widget);
        bar.rect = l.bar;
        bar.palette = pal;
        bar.state |= QStyle::State_Horizontal;
        bar.minimum = 0;
        bar.maximum = 1000;
        bar.progress = transfer.size > 0 ? int(qBound(qint64(0),
                                                      transfer.bytesDone * 1000 / transfer.size,
                                                      qint64(1000)))
                                         : 0;
        bar.textVisible = false;
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, option.widget);
        painter->setFont(small);
        painter->setPen(UiColors::dimText(pal, background));
        painter->drawText(l.progress,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          sfm.elidedText(progressText(), Qt::ElideRight, l.progress.width()));
    }
    if (l.thumbnail.isValid())
        painter->drawImage(l.thumbnail, thumbnail);
    painter->setFont(option.font);
    for (const auto &[action, rect] : l.buttons) {
        QStyleOptionButton button;
        if (option.widget)
            button.initFrom(option.widget);
        button.rect = rect;
        button.palette = pal;
        button.text = actionText(action);
        button.state = QStyle::State_Enabled | QStyle::State_Raised;
        style->drawControl(QStyle::CE_PushButton, &button, painter, option.widget);
    }
    painter->restore();
}

std::optional<FileAction> FileItem::actionAt(const Layout &layout, QPoint pos)
{
    for (const auto &[action, rect] : layout.buttons) {
        if (rect.contains(pos))
            return action;
    }
    return std::nullopt;
}

QString FileItem::picturePath(const TransferInfo &t)
{
    if (t.state != TransferState::Done || t.folder || t.files != 1)
        return {};
    const QString path = openPath(t);
    if (path.isEmpty())
        return {};
    const QMimeType mime = QMimeDatabase().mimeTypeForFile(path, QMimeDatabase::MatchExtension);
    return mime.name().startsWith(QLatin1String("image/")) ? path : QString();
}

QString FileItem::openPath(const TransferInfo &t)
{
    if (!t.outgoing)
        return t.savedPath;
    // The sender's own file: the offered name is relative to the folder it was taken from.
    if (t.sourceDir.isEmpty() || t.files != 1 || t.folder)
        return {};
    return QDir(t.sourceDir).filePath(t.name);
}

QString FileItem::folderPath(const TransferInfo &t)
{
    if (t.outgoing)
        return t.sourceDir;
    if (!t.savedPath.isEmpty())
        return QFileInfo(t.savedPath).absolutePath();
    return t.destination;
}

bool FileItem::run(FileAction action,
                   const TransferInfo &transfer,
                   Messenger &messenger,
                   QWidget *parent,
                   QString *error)
{
    switch (action) {
    case FileAction::Accept:
        return messenger.acceptTransfer(transfer.id, QString(), error);
    case FileAction::SaveAs: {
        const QString dir = QFileDialog::getExistingDirectory(parent,
                                                              tr("Save “%1” in").arg(transfer.name),
                                                              messenger.downloadDir());
        return dir.isEmpty() || messenger.acceptTransfer(transfer.id, dir, error);
    }
    case FileAction::Decline:
        return messenger.declineTransfer(transfer.id, error);
    case FileAction::Pause:
        return messenger.pauseTransfer(transfer.id, error);
    case FileAction::Resume:
        return messenger.resumeTransfer(transfer.id, error);
    case FileAction::Cancel:
        return messenger.cancelTransfer(transfer.id, error);
    case FileAction::Open:
    case FileAction::ShowInFolder: {
        const QString path = action == FileAction::Open ? openPath(transfer) : folderPath(transfer);
        if (path.isEmpty() || !QFileInfo::exists(path)) {
            *error = tr("“%1” is no longer there.").arg(QDir::toNativeSeparators(path));
            return false;
        }
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path))) {
            *error = tr("No program could open “%1”.").arg(QDir::toNativeSeparators(path));
            return false;
        }
        return true;
    }
    }
    return false;
}
