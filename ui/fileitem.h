// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "files/transferinfo.h"

#include <QCoreApplication>
#include <QIcon>
#include <QImage>
#include <QList>
#include <QRect>

#include <optional>
#include <utility>

class Messenger;
class QFont;
class QPainter;
class QStyleOptionViewItem;
class QWidget;

// What a person can do with a transfer, as buttons on its item and entries of its menu.
enum class FileAction { Accept, SaveAs, Decline, Pause, Resume, Cancel, Open, ShowInFolder };

// A file transfer as an item: in a conversation's history (MessageDelegate) and in the
// Transfers window. Name, size, a file-type icon, the state, while it runs a progress bar with
// bytes, speed and time left, the buttons for its state and, for a picture once it is done,
// a thumbnail (decoded elsewhere: ThumbnailLoader).
class FileItem
{
    Q_DECLARE_TR_FUNCTIONS(FileItem)

public:
    // Where each part is, for one width and font; buttons left to right.
    struct Layout
    {
        QRect icon;
        QRect name;
        QRect detail;
        QRect state;
        QRect bar;
        QRect progress;
        QRect thumbnail;
        QList<std::pair<FileAction, QRect>> buttons;
        QRect bounds; // all of the above
    };

    // `known`: the transfer's state is known (else only its name, from the history).
    explicit FileItem(const TransferInfo &transfer, bool known = true);

    TransferInfo transfer;
    bool known = true;
    QString peerName; // said in the detail line when set (the Transfers window)
    QImage thumbnail;

    QList<FileAction> actions() const;
    QString detailText() const; // "4.0 MiB · 3 files"
    QString stateText() const;  // "Receiving", "Paused by the peer", "Saved in …"
    bool showsProgress() const;
    QString progressText() const; // "1.0 MiB of 4.0 MiB · 512.0 KiB/s · 6 s left"
    QString accessibleText() const;
    QIcon icon() const;

    // The item's parts with its top left at `topLeft`, at most `width` wide.
    Layout layout(QPoint topLeft, int width, const QFont &font) const;
    void paint(QPainter *painter,
               const Layout &layout,
               const QStyleOptionViewItem &option,
               const QColor &background) const;
    static std::optional<FileAction> actionAt(const Layout &layout, QPoint pos);

    static QString actionText(FileAction action);
    static QString sizeText(qint64 bytes); // "4.0 MiB"
    static QString timeLeftText(qint64 seconds);
    // The picture a finished transfer of one file can show, or empty.
    static QString picturePath(const TransferInfo &transfer);
    // The file or folder "Open" opens, and the folder "Show in folder" shows.
    static QString openPath(const TransferInfo &transfer);
    static QString folderPath(const TransferInfo &transfer);

    // Does `action` (asking for a folder for Save as…, opening with QDesktopServices). False
    // with *error when the messenger refused it.
    static bool run(FileAction action,
                    const TransferInfo &transfer,
                    Messenger &messenger,
                    QWidget *parent,
                    QString *error);

    static constexpr int ThumbnailSide = 160;
};
