// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "fileitem.h"
#include "grouptext.h"
#include "messagetext.h"

#include <QCache>
#include <QFont>
#include <QHash>
#include <QImage>
#include <QPointer>
#include <QStyledItemDelegate>
#include <QUrl>
#include <QUuid>

#include <functional>
#include <utility>

class QAbstractItemView;
class QTextLayout;
class ThumbnailLoader;

// Paints a message as a bubble: own messages on the right, received ones on the left, with the
// time and, for own messages, the delivery state. Line breaks in a text are kept; links are
// drawn as links; a part of one message's text can be selected (the view's owner drives the
// mouse, see cursorAt() and setSelection()). Colours come from the palette.
//
// Laying out text is the costly part of a conversation view (a 64 KiB word took seconds), and
// the list asks for every row's size on each change. So a bubble lays out a bounded part of its
// text (MessageText: at most 2,000 units and MaxShownLines lines; a bubble that hides anything
// says so, and the whole text is one double-click or right-click away), each text is laid out
// once per width and font, and painting stays inside the bubble.
//
// A file transfer's item (MessageKind::File) is a FileItem in a bubble: its buttons are found
// with fileActionAt(), and a picture's thumbnail is decoded in the background (ThumbnailLoader).
class MessageDelegate final : public QStyledItemDelegate
{
    Q_OBJECT

public:
    static constexpr int MaxShownLines = 24;
    // Laid-out texts kept for painting, in UTF-16 units (what is shown of each text and its
    // size are kept for every row of the model).
    static constexpr int MaxCachedLayoutUnits = 400'000;

    explicit MessageDelegate(QAbstractItemView *view);
    ~MessageDelegate() override;

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QString stateText(int state);
    // What a screen reader says for a message: sender, time, state and text. With `nameOf`,
    // the helpers keeping an own message are named (issue 16).
    static QString accessibleText(const QModelIndex &index,
                                  const QString &peerName,
                                  const GroupText::NameOf &nameOf = {});
    // --- Carried delivery (issue 16) ---
    // An own message kept by helpers while its recipient is away: "Held by Carol and Dave
    // until Bob is back" (`recipientName`: Bob); empty for any other.
    QString heldByDetails(const QModelIndex &index, const QString &recipientName) const;
    // The footer of such a message is under `pos`.
    bool isOnHeldBy(const QModelIndex &index, const QPoint &pos) const;
    // --- end carried delivery ---

    // Groups: this profile's ID and how members are named, for the events ("Alice added
    // Dave") and the delivery details of own messages.
    void setGroupNames(const QString &self, GroupText::NameOf nameOf);
    // --- Avatars (issue 15) ---
    // Where pictures come from (Messenger::avatar): a member's beside its group messages.
    void setAvatarSource(std::function<QImage(const QString &peerId)> source)
    {
        m_avatar = std::move(source);
    }
    static constexpr int AvatarSide = 28;
    // --- end avatars ---
    static bool isGroupEvent(const QModelIndex &index);
    // A GroupEvent row as the person reads it.
    QString eventText(const QModelIndex &index) const;
    // An own group message: who has it and who read it, one line per state; else empty.
    QString deliveryDetails(const QModelIndex &index) const;
    // The footer of an own group message (its delivery summary) is under `pos`.
    bool isOnDeliveries(const QModelIndex &index, const QPoint &pos) const;
    // The bubble shows less than the whole text (it says so, and offers the rest).
    bool isShortened(const QModelIndex &index) const;
    // --- Typing and quoting (issue 15) ---
    // A reply shows the quoted message above its text: its author and first line, or "Original
    // message not available". The quote is under `pos` (a click jumps to the original).
    bool isOnQuote(const QModelIndex &index, const QPoint &pos) const;
    QRect quoteRect(const QModelIndex &index) const;
    // The quote's two lines as painted: author (empty when not available) and text.
    std::pair<QString, QString> quoteLines(const QModelIndex &index) const;
    // Draws a frame around the message at `index` for `ms` (a quote's original, jumped to).
    void flash(const QModelIndex &index, int ms = 1500);
    bool isFlashed(const QModelIndex &index) const;
    // --- end typing and quoting ---

    // Where things are, in the view's viewport, for the row at `index` as it is laid out now.
    QRect bubbleRect(const QModelIndex &index) const;
    QRect textRect(const QModelIndex &index) const;
    QRect footerRect(const QModelIndex &index) const;
    // The position in the shown text under `pos` (viewport coordinates), or -1 when `pos` is
    // not on the text; with `nearest`, the closest position even off the text (a drag).
    int cursorAt(const QModelIndex &index, const QPoint &pos, bool nearest = false) const;
    QUrl linkAt(const QModelIndex &index, const QPoint &pos) const;
    // A selection inside one message's shown text, painted as selected.
    void setSelection(const QModelIndex &index, int anchor, int position);
    void clearSelection();
    bool hasSelection(const QModelIndex &index) const;
    // The selected part, with its line breaks; empty without a selection.
    QString selectedText() const;
    // The width texts are wrapped at; the view lays out again when it changes.
    int textWidth() const;

    static bool isFile(const QModelIndex &index);
    // A File row as its item shows it (with its thumbnail once decoded).
    FileItem fileItem(const QModelIndex &index) const;
    // The button of a File row under `pos` (viewport coordinates), and every button of it.
    std::optional<FileAction> fileActionAt(const QModelIndex &index, const QPoint &pos) const;
    QList<std::pair<FileAction, QRect>> fileButtons(const QModelIndex &index) const;
    ThumbnailLoader *thumbnails() const { return m_thumbnails; }

    // --- Searching in the window (issue 15) ---
    // Highlights every occurrence of `term` (case-insensitive) in the texts, and marks the
    // message `current` (the find bar's current match). Empty: nothing highlighted.
    void setFindHighlight(const QString &term, const QUuid &current);
    QString findTerm() const { return m_findTerm; }
    QUuid findCurrent() const { return m_findCurrent; }
    // Where `term` is highlighted in a row's shown text: start and length of each match.
    QList<std::pair<int, int>> findMatches(const QModelIndex &index) const;
    // --- end searching in the window ---

    // For tests and benchmarks: how many times a text was laid out, and the most UTF-16 units
    // laid out for one bubble.
    int textLayoutCount() const { return m_textLayouts; }
    qsizetype longestLaidOutText() const { return m_longestLaidOut; }

private:
    // What is known of a row's text at one width and font; kept for every row of the model.
    struct Measured
    {
        QString source; // the row's text (shared with the model), to notice a different one
        MessageText shown;
        QFont font;
        int width = -1;
        QSize size;       // with room for ink beyond the lines (stacked marks)
        int inkAbove = 0; // how far the first line's ink reaches above it
        bool shortened = false;
        qsizetype characters = 0;         // of the whole text, for the note on a shortened bubble
        QList<std::pair<int, int>> links; // start and length in shown.shown
        QRgb linkColor = 0;
    };
    struct Layout
    {
        QRect bubble;
        QRect author; // an incoming group message's author
        QRect quote;  // a reply's quote (issue 15)
        QRect text;
        QRect note;
        QRect footer;
    };
    const Measured &measured(const QStyleOptionViewItem &option,
                             const QModelIndex &index,
                             QTextLayout **layout = nullptr) const;
    Layout layout(const QStyleOptionViewItem &option,
                  const QModelIndex &index,
                  const Measured &text,
                  int top) const;
    QString footerText(const QModelIndex &index) const;
    QRect eventRect(const QStyleOptionViewItem &option, const QModelIndex &index, int top) const;
    void paintEvent(QPainter *painter,
                    const QStyleOptionViewItem &option,
                    const QModelIndex &index) const;
    struct FileLayout
    {
        QRect bubble;
        FileItem::Layout item;
        QRect footer;
    };
    FileLayout fileLayout(const QStyleOptionViewItem &option,
                          const QModelIndex &index,
                          const FileItem &item,
                          int top) const;
    void paintFile(QPainter *painter,
                   const QStyleOptionViewItem &option,
                   const QModelIndex &index) const;
    QString noteText(const Measured &text) const;
    void paintQuote(QPainter *painter,
                    const QRect &rect,
                    const QModelIndex &index,
                    const QColor &bubble,
                    const QFont &small) const; // issue 15
    QStyleOptionViewItem optionFor(const QModelIndex &index) const;
    void watchModel(const QAbstractItemModel *model) const;

    // A message is known by its sender and ID: a peer may reuse one of ours.
    using Key = std::pair<QUuid, bool>;
    static Key keyOf(const QModelIndex &index);

    QAbstractItemView *m_view;
    ThumbnailLoader *m_thumbnails;
    QString m_findTerm; // Searching in the window (issue 15)
    QUuid m_findCurrent;
    QString m_self;
    GroupText::NameOf m_nameOf;
    std::function<QImage(const QString &)> m_avatar; // avatars (issue 15)
    mutable QPointer<const QAbstractItemModel> m_model;
    mutable QHash<Key, Measured> m_measured;
    // Kept laid out for painting; the one of a key always matches its Measured.
    mutable QCache<Key, QTextLayout> m_layouts{MaxCachedLayoutUnits};
    struct Selection
    {
        Key key;
        int anchor = -1;
        int position = -1;
    };
    Selection m_selection;
    std::optional<Key> m_flashed; // issue 15
    int m_flashes = 0;            // the flash a timer ends, when it is still the last one
    mutable int m_textLayouts = 0;
    mutable qsizetype m_longestLaidOut = 0;
};
