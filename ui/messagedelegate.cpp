// SPDX-License-Identifier: GPL-3.0-or-later
#include "messagedelegate.h"

#include "avatarpainter.h" // avatars (issue 15)
#include "emojifont.h"     // colour emoji (issue 15)
#include "messagetext.h"
#include "models/conversationmodel.h"
#include "relaytext.h" // issue 16
#include "thumbnailloader.h"
#include "uicolors.h"

#include <QAbstractItemView>
#include <QGlyphRun>
#include <QPainter>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTextLayout>
#include <QTimer>

#include <cmath>

static constexpr int Padding = 8;
static constexpr int Gap = 4;
static constexpr int Side = 12;
static constexpr int QuoteBar = 3; // the coloured edge of a reply's quote (issue 15)

namespace {

QFont smallFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.8);
    return small;
}

qsizetype codePoints(const QString &text)
{
    qsizetype n = 0;
    for (QChar c : text)
        n += !c.isLowSurrogate();
    return n;
}

// QTextLayout breaks lines only at U+2028: a text's line breaks become that, unit for unit, so
// that positions in the layout are positions in the shown text.
QString withLineSeparators(QString text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == u'\n')
            text[i] = QChar::LineSeparator;
        else if (text.at(i) == u'\r')
            text[i] = i + 1 < text.size() && text.at(i + 1) == u'\n' ? QChar(0x200B)
                                                                     : QChar::LineSeparator;
    }
    return text;
}

QList<std::pair<int, int>> findLinks(const QString &text)
{
    static const QRegularExpression url(QStringLiteral(
                                            R"((?:\b(?:https?|ftp)://|\bwww\.)[^\s<>"\x{2028}]+)"),
                                        QRegularExpression::CaseInsensitiveOption);
    QList<std::pair<int, int>> links;
    for (auto it = url.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        int length = int(match.capturedLength());
        // A sentence's full stop or closing bracket is not part of the link.
        while (length > 0
               && QStringLiteral(".,;:!?)]}'").contains(text.at(match.capturedStart() + length - 1)))
            --length;
        links.append({int(match.capturedStart()), length});
    }
    return links;
}

QUrl toUrl(const QString &link)
{
    return QUrl::fromUserInput(link);
}

} // namespace

MessageDelegate::MessageDelegate(QAbstractItemView *view)
    : QStyledItemDelegate(view)
    , m_view(view)
    , m_thumbnails(new ThumbnailLoader(this))
{
    // A thumbnail makes its item taller: the view lays its rows out again.
    connect(m_thumbnails, &ThumbnailLoader::ready, this, [this] {
        Q_EMIT sizeHintChanged(QModelIndex());
        m_view->viewport()->update();
    });
}

MessageDelegate::~MessageDelegate() = default;

QString MessageDelegate::stateText(int state)
{
    switch (MessageState(state)) {
    case MessageState::Queued:
        return tr("waiting");
    case MessageState::Sent:
        return tr("sent ✓");
    case MessageState::Delivered:
        return tr("delivered ✓✓");
    case MessageState::Read:
        return tr("read ✓✓");
    case MessageState::Failed: // not on disk, not sent: right-click to retry
        return tr("not saved");
    }
    return {};
}

// --- Carried delivery (issue 16) ---
static QStringList helperNames(const QModelIndex &index, const GroupText::NameOf &nameOf)
{
    QStringList names = index.data(ConversationModel::HeldByRole).toStringList();
    if (nameOf) {
        for (QString &name : names)
            name = nameOf(name);
    }
    return names;
}

QString MessageDelegate::heldByDetails(const QModelIndex &index, const QString &recipientName) const
{
    if (!index.isValid() || isFile(index) || isGroupEvent(index))
        return {};
    const QStringList names = helperNames(index, m_nameOf);
    return names.isEmpty() ? QString() : RelayText::heldBy(names, recipientName);
}

bool MessageDelegate::isOnHeldBy(const QModelIndex &index, const QPoint &pos) const
{
    return index.isValid() && !isFile(index) && !isGroupEvent(index)
           && !index.data(ConversationModel::HeldByRole).toStringList().isEmpty()
           && footerRect(index).contains(pos);
}
// --- end carried delivery ---

QString MessageDelegate::accessibleText(const QModelIndex &index,
                                        const QString &peerName,
                                        const GroupText::NameOf &nameOf)
{
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    if (isFile(index)) {
        const QVariant t = index.data(ConversationModel::TransferRole);
        TransferInfo info = t.value<TransferInfo>();
        info.name = index.data(ConversationModel::TextRole).toString();
        info.outgoing = outgoing;
        const QString item = FileItem(info, t.isValid()).accessibleText();
        return outgoing ? tr("You sent a file: %1").arg(item)
                        : tr("%1 sent a file: %2").arg(peerName, item);
    }
    const QString time
        = QLocale().toString(index.data(ConversationModel::SentAtRole).toDateTime().toLocalTime(),
                             QLocale::ShortFormat);
    const QString text = index.data(ConversationModel::TextRole).toString();
    if (outgoing) {
        const QVariant deliveries = index.data(ConversationModel::DeliveriesRole);
        QString state = deliveries.isValid()
                            ? GroupText::deliverySummary(deliveries.value<QList<GroupDelivery>>())
                            : stateText(index.data(ConversationModel::StateRole).toInt());
        // Issue 16: who keeps it while the recipient is away.
        if (const QStringList helpers = helperNames(index, nameOf); !helpers.isEmpty())
            state = RelayText::heldBy(helpers, peerName);
        return tr("You, %1, %2: %3", "sender, time, delivery state: text").arg(time, state, text);
    }
    const QString author = index.data(ConversationModel::AuthorNameRole).toString();
    return tr("%1, %2: %3", "sender, time: text")
        .arg(author.isEmpty() ? peerName : author, time, text);
}

QString MessageDelegate::footerText(const QModelIndex &index) const
{
    auto format = [](const QDateTime &utc) {
        const QDateTime t = utc.toLocalTime();
        const bool today = t.date() == QDate::currentDate();
        return QLocale().toString(t,
                                  today ? QLocale().timeFormat(QLocale::ShortFormat)
                                        : QLocale().dateTimeFormat(QLocale::ShortFormat));
    };
    QString time = format(index.data(ConversationModel::SentAtRole).toDateTime());
    // Messages are in the order they arrived; a sender's time far from that is marked.
    if (index.data(ConversationModel::SenderTimeFarOffRole).toBool()) {
        time = tr("%1 by the sender's clock, arrived %2")
                   .arg(time, format(index.data(ConversationModel::ReceivedAtRole).toDateTime()));
    }
    if (index.data(ConversationModel::OutgoingRole).toBool() && !isFile(index)) {
        // In a group: where it stands with the members, not the one state of a 1:1 message.
        const QVariant deliveries = index.data(ConversationModel::DeliveriesRole);
        const QStringList helpers = helperNames(index, m_nameOf); // issue 16
        time += QStringLiteral("  ")
                + (deliveries.isValid()
                       ? GroupText::deliverySummary(deliveries.value<QList<GroupDelivery>>())
                   : !helpers.isEmpty()
                       ? RelayText::heldByState(helpers)
                       : stateText(index.data(ConversationModel::StateRole).toInt()));
    }
    return time;
}

void MessageDelegate::setGroupNames(const QString &self, GroupText::NameOf nameOf)
{
    m_self = self;
    m_nameOf = std::move(nameOf);
}

bool MessageDelegate::isGroupEvent(const QModelIndex &index)
{
    return MessageKind(index.data(ConversationModel::KindRole).toInt()) == MessageKind::GroupEvent;
}

QString MessageDelegate::eventText(const QModelIndex &index) const
{
    const GroupText::NameOf nameOf = m_nameOf ? m_nameOf : [](const QString &id) { return id; };
    return GroupText::event(index.data(ConversationModel::TextRole).toString(), m_self, nameOf);
}

QString MessageDelegate::deliveryDetails(const QModelIndex &index) const
{
    const QVariant deliveries = index.data(ConversationModel::DeliveriesRole);
    if (!deliveries.isValid())
        return {};
    const GroupText::NameOf nameOf = m_nameOf ? m_nameOf : [](const QString &id) { return id; };
    return GroupText::deliveryDetails(deliveries.value<QList<GroupDelivery>>(), nameOf);
}

bool MessageDelegate::isOnDeliveries(const QModelIndex &index, const QPoint &pos) const
{
    return index.isValid() && !isFile(index) && !isGroupEvent(index)
           && index.data(ConversationModel::DeliveriesRole).isValid()
           && footerRect(index).contains(pos);
}

QRect MessageDelegate::eventRect(const QStyleOptionViewItem &option,
                                 const QModelIndex &index,
                                 int top) const
{
    // A line across the middle, wrapped when the names are many.
    const QRect row = option.rect.isValid() ? option.rect
                                            : QRect(0, 0, m_view->viewport()->width(), 0);
    const QFontMetrics sfm(smallFont(option.font));
    const int width = qMax(120, row.width() - 4 * Side);
    const QRect text = sfm.boundingRect(QRect(0, 0, width, 100'000),
                                        Qt::AlignHCenter | Qt::TextWordWrap,
                                        eventText(index));
    return {row.left() + (row.width() - width) / 2,
            top + Gap,
            width,
            qMin(text.height(), sfm.height() * 4) + Gap};
}

void MessageDelegate::paintEvent(QPainter *painter,
                                 const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const
{
    const QRect r = eventRect(option, index, option.rect.top());
    painter->save();
    painter->setClipRect(option.rect, Qt::IntersectClip);
    painter->setFont(smallFont(option.font));
    painter->setPen(UiColors::dimText(option.palette, option.palette.color(QPalette::Base)));
    painter->drawText(r, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, eventText(index));
    if (option.state & QStyle::State_HasFocus) {
        painter->setPen(QPen(option.palette.color(QPalette::Highlight), 1));
        painter->drawRect(r.adjusted(0, -1, -1, 0));
    }
    painter->restore();
}

QString MessageDelegate::noteText(const Measured &text) const
{
    return tr("Shortened: double-click to read all %Ln characters, right-click to copy",
              "under a message too long or too heavy to show whole",
              int(text.characters));
}

int MessageDelegate::textWidth() const
{
    // The same whether the scroll bar shows or not: its appearing would lay out every text
    // again, and could hide it again (fewer lines), and so on.
    const int width = m_view->contentsRect().width()
                      - m_view->verticalScrollBar()->sizeHint().width();
    return qMax(120, width * 7 / 10 - 2 * Padding);
}

MessageDelegate::Key MessageDelegate::keyOf(const QModelIndex &index)
{
    return {index.data(ConversationModel::IdRole).toUuid(),
            index.data(ConversationModel::OutgoingRole).toBool()};
}

void MessageDelegate::watchModel(const QAbstractItemModel *model) const
{
    if (m_model == model)
        return;
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_measured.clear();
    m_layouts.clear();
    if (!model)
        return;
    // Another conversation: what was measured is of no use, and must not be taken for a
    // message of the new one with the same ID.
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        m_measured.clear();
        m_layouts.clear();
    });
    connect(model,
            &QAbstractItemModel::rowsAboutToBeRemoved,
            this,
            [this](const QModelIndex &parent, int first, int last) {
                for (int row = first; row <= last; ++row) {
                    const Key key = keyOf(m_model->index(row, 0, parent));
                    m_measured.remove(key);
                    m_layouts.remove(key);
                }
            });
}

const MessageDelegate::Measured &MessageDelegate::measured(const QStyleOptionViewItem &option,
                                                           const QModelIndex &index,
                                                           QTextLayout **layout) const
{
    watchModel(index.model());
    const Key key = keyOf(index);
    const QString source = index.data(ConversationModel::TextRole).toString();
    const int width = textWidth();
    Measured &m = m_measured[key];
    const QRgb linkColor = option.palette.color(QPalette::Active, QPalette::Link).rgba();
    if (m.width == width && m.font == option.font && m.source == source
        && m.linkColor == linkColor) {
        QTextLayout *cached = m_layouts.object(key);
        if (cached || !layout) {
            if (layout)
                *layout = cached;
            return m;
        }
    }

    if (m.source != source || m.width < 0) {
        // What to show does not depend on the width: a resize only wraps it again.
        m.source = source;
        m.shown = MessageText::fromText(source);
        m.characters = codePoints(source);
        m.links = findLinks(m.shown.shown);
    }
    const MessageText &shown = m.shown;
    // Wrapped at word boundaries, or anywhere when a word is wider than the bubble (links).
    auto *text = new QTextLayout(withLineSeparators(shown.shown), option.font);
    QTextOption wrap;
    wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    text->setTextOption(wrap);
    QList<QTextLayout::FormatRange> formats = shown.markers;
    QTextCharFormat link;
    link.setForeground(QColor::fromRgba(linkColor));
    link.setFontUnderline(true);
    for (const auto &[start, length] : m.links)
        formats.append({start, length, link});
    formats.append(EmojiFont::ranges(shown.shown)); // in colour (emojifont.h)
    text->setFormats(formats);
    text->setCacheEnabled(true); // painting reuses the shaped glyphs
    text->beginLayout();
    qreal height = 0;
    qreal used = 0;
    int lines = 0;
    int laidOut = 0;
    while (lines < MaxShownLines) {
        QTextLine line = text->createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
        used = qMax(used, line.naturalTextWidth());
        laidOut = line.textStart() + line.textLength();
        ++lines;
    }
    text->endLayout();
    // Marks stacked on a letter (up to MessageText::MaxClusterMarks) reach above the first line
    // or below the last: the bubble makes room for them rather than cut them off.
    qreal inkTop = 0;
    qreal inkBottom = height;
    if (lines > 0) {
        for (const QTextLine &line : {text->lineAt(0), text->lineAt(lines - 1)}) {
            for (const QGlyphRun &run : line.glyphRuns()) {
                inkTop = qMin(inkTop, run.boundingRect().top());
                inkBottom = qMax(inkBottom, run.boundingRect().bottom());
            }
        }
    }
    ++m_textLayouts;
    m_longestLaidOut = qMax(m_longestLaidOut, shown.shown.size());

    m.font = option.font;
    m.width = width;
    m.linkColor = linkColor;
    m.inkAbove = int(std::ceil(-inkTop));
    m.size = QSize(int(std::ceil(used)), int(std::ceil(inkBottom - inkTop)));
    m.shortened = !shown.isComplete() || laidOut < shown.shown.size();
    m_layouts.insert(key, text, shown.shown.size() + 64);
    if (layout)
        *layout = m_layouts.object(key);
    return m;
}

bool MessageDelegate::isShortened(const QModelIndex &index) const
{
    if (isFile(index) || isGroupEvent(index))
        return false;
    return measured(optionFor(index), index).shortened;
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index,
                                                const Measured &text,
                                                int top) const
{
    // Painting gets the row's rectangle; a size hint does not need the left edge.
    const QRect row = option.rect.isValid() ? option.rect
                                            : QRect(0, 0, m_view->viewport()->width(), 0);
    const QFontMetrics sfm(smallFont(option.font));
    int width = qMax(text.size.width(), sfm.horizontalAdvance(footerText(index)));
    int noteHeight = 0;
    if (text.shortened) {
        // Rounded up: drawText elides a text a fraction of a pixel wider than its rectangle.
        const int note = int(
            std::ceil(QFontMetricsF(smallFont(option.font)).horizontalAdvance(noteText(text))));
        width = qMax(width, qMin(note, textWidth()));
        noteHeight = Gap + sfm.height();
    }
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    // In a group, who wrote it, above the text (own messages are on the right: no need).
    const QString author = outgoing ? QString()
                                    : index.data(ConversationModel::AuthorNameRole).toString();
    int authorHeight = 0;
    if (!author.isEmpty()) {
        QFont bold = smallFont(option.font);
        bold.setBold(true);
        const QFontMetrics afm(bold);
        width = qMax(width, qMin(afm.horizontalAdvance(author), textWidth()));
        authorHeight = afm.height() + Gap / 2;
    }
    // --- Typing and quoting (issue 15): the quote, two small lines in a box ---
    int quoteHeight = 0;
    if (!index.data(ConversationModel::ReplyToRole).toUuid().isNull()) {
        const auto [quoteAuthor, quoteText] = quoteLines(index);
        QFont bold = smallFont(option.font);
        bold.setBold(true);
        const int wanted = qMax(QFontMetrics(bold).horizontalAdvance(quoteAuthor),
                                sfm.horizontalAdvance(quoteText))
                           + QuoteBar + 2 * Gap + 1;
        width = qMax(width, qMin(wanted, textWidth()));
        // Always two lines: a row's height stays when the original comes or goes.
        quoteHeight = 2 * sfm.height() + 2 * Gap / 2 + Gap;
    }
    // --- end typing and quoting ---
    const int height = authorHeight + quoteHeight + text.size.height() + noteHeight + Gap
                       + sfm.height();
    // Avatars (issue 15): a group message from another member has its author's picture left.
    const int indent = authorHeight > 0 && m_avatar ? AvatarSide + Side / 2 : 0;
    const int left = outgoing ? row.right() + 1 - Side - width - 2 * Padding
                              : row.left() + Side + indent;

    Layout l;
    l.bubble = QRect(left, top + Gap, width + 2 * Padding, height + 2 * Padding);
    if (authorHeight > 0)
        l.author = QRect(left + Padding, top + Gap + Padding, width, authorHeight - Gap / 2);
    if (quoteHeight > 0)
        l.quote
            = QRect(left + Padding, top + Gap + Padding + authorHeight, width, quoteHeight - Gap);
    l.text = QRect(left + Padding,
                   top + Gap + Padding + authorHeight + quoteHeight,
                   width,
                   text.size.height());
    int below = l.text.bottom();
    if (text.shortened) {
        l.note = QRect(left + Padding, below + Gap, width, sfm.height());
        below = l.note.bottom();
    }
    l.footer = QRect(left + Padding, below + Gap, width, sfm.height());
    return l;
}

// --- Typing and quoting (issue 15) ---
std::pair<QString, QString> MessageDelegate::quoteLines(const QModelIndex &index) const
{
    const QVariant v = index.data(ConversationModel::QuotedRole);
    if (!v.isValid())
        return {QString(), tr("Original message not available")};
    const ChatMessage q = v.value<ChatMessage>();
    QString author;
    if (q.outgoing)
        author = tr("You");
    else if (const QString id = q.author.isEmpty() ? q.peerId : q.author; m_nameOf)
        author = m_nameOf(id);
    else
        author = id;
    // Two lines at most: the author's, and the text's first (whitespace runs as one space).
    const QString trimmed = q.text.trimmed();
    const qsizetype end = trimmed.indexOf(u'\n');
    return {author, (end < 0 ? trimmed : trimmed.left(end)).simplified()};
}

void MessageDelegate::paintQuote(QPainter *painter,
                                 const QRect &r,
                                 const QModelIndex &index,
                                 const QColor &bubble,
                                 const QFont &small) const
{
    const auto [author, text] = quoteLines(index);
    const QPalette &pal = m_view->palette();
    painter->save();
    painter->setPen(Qt::NoPen);
    painter->setBrush(bubble.lightness() > 128 ? bubble.darker(110) : bubble.lighter(130));
    painter->drawRoundedRect(r, 4, 4);
    painter->setBrush(pal.color(QPalette::Highlight));
    painter->drawRect(QRect(r.left(), r.top(), QuoteBar, r.height()));
    const QRect inner = r.adjusted(QuoteBar + Gap, Gap / 2, -Gap, -Gap / 2);
    const QFontMetrics fm(small);
    QRect line(inner.left(), inner.top(), inner.width(), fm.height());
    if (!author.isEmpty()) {
        QFont bold = small;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(pal.color(QPalette::Text));
        painter->drawText(line,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold).elidedText(author, Qt::ElideRight, line.width()));
        line.translate(0, fm.height());
    }
    QFont body = small;
    body.setItalic(author.isEmpty()); // not available: one line, in the middle of the box
    if (author.isEmpty())
        line.moveTop(inner.top() + (inner.height() - line.height()) / 2);
    painter->setFont(body);
    painter->setPen(UiColors::dimText(pal, bubble));
    painter->drawText(line,
                      Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(body).elidedText(text, Qt::ElideRight, line.width()));
    painter->restore();
}

void MessageDelegate::flash(const QModelIndex &index, int ms)
{
    m_flashed = keyOf(index);
    const int flash = ++m_flashes;
    m_view->viewport()->update();
    QTimer::singleShot(ms, this, [this, flash] {
        if (flash != m_flashes)
            return;
        m_flashed.reset();
        m_view->viewport()->update();
    });
}

bool MessageDelegate::isFlashed(const QModelIndex &index) const
{
    return m_flashed && *m_flashed == keyOf(index);
}

QRect MessageDelegate::quoteRect(const QModelIndex &index) const
{
    if (!index.isValid() || isFile(index) || isGroupEvent(index))
        return {};
    const QStyleOptionViewItem option = optionFor(index);
    return layout(option, index, measured(option, index), option.rect.top()).quote;
}

bool MessageDelegate::isOnQuote(const QModelIndex &index, const QPoint &pos) const
{
    return quoteRect(index).contains(pos);
}
// --- end typing and quoting ---

bool MessageDelegate::isFile(const QModelIndex &index)
{
    return MessageKind(index.data(ConversationModel::KindRole).toInt()) == MessageKind::File;
}

FileItem MessageDelegate::fileItem(const QModelIndex &index) const
{
    const QVariant t = index.data(ConversationModel::TransferRole);
    TransferInfo info = t.value<TransferInfo>();
    if (!t.isValid()) { // not known (yet): what the history says
        info.id = index.data(ConversationModel::IdRole).toUuid();
        info.name = index.data(ConversationModel::TextRole).toString();
        info.outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    }
    FileItem item(info, t.isValid());
    // Only once it is verified (Done): a picture half received, or refused, shows none.
    if (const QString picture = FileItem::picturePath(info); !picture.isEmpty())
        item.thumbnail = m_thumbnails->thumbnail(picture, FileItem::ThumbnailSide);
    return item;
}

MessageDelegate::FileLayout MessageDelegate::fileLayout(const QStyleOptionViewItem &option,
                                                        const QModelIndex &index,
                                                        const FileItem &item,
                                                        int top) const
{
    const QRect row = option.rect.isValid() ? option.rect
                                            : QRect(0, 0, m_view->viewport()->width(), 0);
    const QFontMetrics sfm(smallFont(option.font));
    const int width = qMin(textWidth(), QFontMetrics(option.font).averageCharWidth() * 44);
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    const int left = outgoing ? row.right() + 1 - Side - width - 2 * Padding : row.left() + Side;
    FileLayout l;
    l.item = item.layout(QPoint(left + Padding, top + Gap + Padding), width, option.font);
    l.footer = QRect(left + Padding, l.item.bounds.bottom() + 1 + Gap, width, sfm.height());
    l.bubble
        = QRect(left, top + Gap, width + 2 * Padding, l.footer.bottom() + 1 + Padding - top - Gap);
    return l;
}

// A message's or a file's bubble, clipped to, and its focus ring; returns its colour. Nothing a
// text draws (stacked marks, tall glyphs) reaches beyond its own bubble. The ring marks the
// item the keyboard acts on (Menu key, Delete, Ctrl+C) while the list has focus.
static QColor paintBubble(QPainter *painter,
                          const QRect &rect,
                          bool outgoing,
                          const QStyleOptionViewItem &option)
{
    const QPalette &pal = option.palette;
    painter->setClipRect(rect.adjusted(-1, -1, 1, 1), Qt::IntersectClip);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    const QColor bubble = outgoing ? UiColors::outgoingBubble(pal) : UiColors::incomingBubble(pal);
    painter->setBrush(bubble);
    painter->drawRoundedRect(rect, 10, 10);
    if (option.state & (QStyle::State_Selected | QStyle::State_HasFocus)) {
        painter->setPen(QPen(pal.color(QPalette::Highlight), 1.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(rect, 10, 10);
    }
    return bubble;
}

void MessageDelegate::paintFile(QPainter *painter,
                                const QStyleOptionViewItem &option,
                                const QModelIndex &index) const
{
    const FileItem item = fileItem(index);
    const FileLayout l = fileLayout(option, index, item, option.rect.top());
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    const QPalette &pal = option.palette;
    painter->save();
    const QColor bubble = paintBubble(painter, l.bubble, outgoing, option);
    if (isFlashed(index)) { // issue 15: the original of a quote, jumped to
        painter->save();
        painter->setPen(QPen(pal.color(QPalette::Highlight), 3));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(l.bubble.adjusted(1, 1, -1, -1), 6, 6);
        painter->restore();
    }
    painter->setRenderHint(QPainter::Antialiasing, false);
    item.paint(painter, l.item, option, bubble);
    painter->setFont(smallFont(option.font));
    painter->setPen(UiColors::dimText(pal, bubble));
    painter->drawText(l.footer, Qt::AlignRight | Qt::AlignVCenter, footerText(index));
    painter->restore();
}

std::optional<FileAction> MessageDelegate::fileActionAt(const QModelIndex &index,
                                                        const QPoint &pos) const
{
    if (!index.isValid() || !isFile(index))
        return std::nullopt;
    const QStyleOptionViewItem option = optionFor(index);
    return FileItem::actionAt(fileLayout(option, index, fileItem(index), option.rect.top()).item,
                              pos);
}

QList<std::pair<FileAction, QRect>> MessageDelegate::fileButtons(const QModelIndex &index) const
{
    if (!index.isValid() || !isFile(index))
        return {};
    const QStyleOptionViewItem option = optionFor(index);
    return fileLayout(option, index, fileItem(index), option.rect.top()).item.buttons;
}

void MessageDelegate::paint(QPainter *painter,
                            const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    if (isFile(index)) {
        paintFile(painter, option, index);
        return;
    }
    if (isGroupEvent(index)) {
        paintEvent(painter, option, index);
        return;
    }
    QTextLayout *text = nullptr;
    const Measured &m = measured(option, index, &text);
    const Layout l = layout(option, index, m, option.rect.top());
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    const QPalette &pal = option.palette;

    painter->save();
    const QColor bubble = paintBubble(painter, l.bubble, outgoing, option);
    // --- Avatars (issue 15) ---
    if (l.author.isValid() && m_avatar) {
        const QString author = index.data(ConversationModel::AuthorRole).toString();
        AvatarPainter::paint(painter,
                             QRectF(l.bubble.left() - AvatarSide - Side / 2,
                                    l.bubble.top(),
                                    AvatarSide,
                                    AvatarSide),
                             m_avatar(author),
                             index.data(ConversationModel::AuthorNameRole).toString(),
                             author);
    }
    // --- end avatars ---

    painter->setPen(pal.color(QPalette::Text));
    if (text) {
        QList<QTextLayout::FormatRange> selections;
        if (m_selection.key == keyOf(index) && m_selection.anchor != m_selection.position) {
            QTextCharFormat selected;
            selected.setBackground(pal.color(QPalette::Highlight));
            selected.setForeground(pal.color(QPalette::HighlightedText));
            const int from = qMin(m_selection.anchor, m_selection.position);
            selections.append(
                {from, qMax(m_selection.anchor, m_selection.position) - from, selected});
        }
        // --- Searching in the window (issue 15) ---
        if (!m_findTerm.isEmpty()) {
            const bool current = index.data(ConversationModel::IdRole).toUuid() == m_findCurrent;
            QTextCharFormat found;
            found.setBackground(current ? QColor(0xff, 0x96, 0x32) : QColor(0xff, 0xe0, 0x66));
            found.setForeground(Qt::black);
            for (const auto &[start, length] : findMatches(index))
                selections.prepend({start, length, found}); // a mouse selection stays on top
        }
        // --- end searching in the window ---
        text->draw(painter, l.text.topLeft() + QPoint(0, m.inkAbove), selections, l.text);
    }
    // --- Searching in the window (issue 15): the current match's message is framed ---
    if (!m_findCurrent.isNull() && index.data(ConversationModel::IdRole).toUuid() == m_findCurrent) {
        painter->setPen(QPen(pal.color(QPalette::Highlight), 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(QRectF(l.bubble).adjusted(-1, -1, 1, 1), 8, 8);
        painter->setPen(pal.color(QPalette::Text));
    }
    // --- end searching in the window ---

    const QFont small = smallFont(option.font);
    if (l.quote.isValid())
        paintQuote(painter, l.quote, index, bubble, small); // issue 15
    if (l.author.isValid()) {
        QFont bold = small;
        bold.setBold(true);
        painter->setFont(bold);
        // The author's own colour, as the peer list and every other bubble of theirs show it.
        painter->setPen(
            UiColors::peerColor(index.data(ConversationModel::AuthorRole).toString(), pal));
        painter->drawText(l.author,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(bold)
                              .elidedText(index.data(ConversationModel::AuthorNameRole).toString(),
                                          Qt::ElideRight,
                                          l.author.width()));
    }
    painter->setFont(small);
    if (m.shortened) {
        painter->setPen(pal.color(QPalette::Link));
        painter->drawText(l.note,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(small).elidedText(noteText(m),
                                                         Qt::ElideRight,
                                                         l.note.width()));
    }
    painter->setPen(UiColors::dimText(pal, bubble));
    const int state = index.data(ConversationModel::StateRole).toInt();
    if (outgoing && MessageState(state) == MessageState::Failed)
        painter->setPen(UiColors::error(pal));
    painter->drawText(l.footer, Qt::AlignRight | Qt::AlignVCenter, footerText(index));
    painter->restore();
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    if (isFile(index)) {
        const FileLayout l = fileLayout(option, index, fileItem(index), 0);
        return {l.bubble.width() + 2 * Side, l.bubble.bottom() + Gap};
    }
    if (isGroupEvent(index)) {
        const QRect r = eventRect(option, index, 0);
        return {r.width() + 2 * Side, r.bottom() + Gap};
    }
    const Layout l = layout(option, index, measured(option, index), 0);
    // Only as wide as the bubble: the view stretches rows to its width anyway, and a row as
    // wide as the viewport brought a horizontal scroll bar when the vertical one appeared.
    return {l.bubble.width() + 2 * Side, l.bubble.bottom() + Gap};
}

QStyleOptionViewItem MessageDelegate::optionFor(const QModelIndex &index) const
{
    QStyleOptionViewItem option;
    option.initFrom(m_view);
    option.font = m_view->font();
    option.rect = m_view->visualRect(index);
    return option;
}

QRect MessageDelegate::bubbleRect(const QModelIndex &index) const
{
    const QStyleOptionViewItem option = optionFor(index);
    if (isGroupEvent(index))
        return eventRect(option, index, option.rect.top());
    if (isFile(index))
        return fileLayout(option, index, fileItem(index), option.rect.top()).bubble;
    return layout(option, index, measured(option, index), option.rect.top()).bubble;
}

QRect MessageDelegate::textRect(const QModelIndex &index) const
{
    const QStyleOptionViewItem option = optionFor(index);
    if (isGroupEvent(index))
        return eventRect(option, index, option.rect.top());
    if (isFile(index))
        return fileLayout(option, index, fileItem(index), option.rect.top()).item.name;
    return layout(option, index, measured(option, index), option.rect.top()).text;
}

QRect MessageDelegate::footerRect(const QModelIndex &index) const
{
    const QStyleOptionViewItem option = optionFor(index);
    if (isGroupEvent(index))
        return eventRect(option, index, option.rect.top());
    if (isFile(index))
        return fileLayout(option, index, fileItem(index), option.rect.top()).footer;
    return layout(option, index, measured(option, index), option.rect.top()).footer;
}

int MessageDelegate::cursorAt(const QModelIndex &index, const QPoint &pos, bool nearest) const
{
    if (!index.isValid() || isFile(index) || isGroupEvent(index)) // a name, not selectable text
        return -1;
    const QStyleOptionViewItem option = optionFor(index);
    QTextLayout *text = nullptr;
    const Measured &m = measured(option, index, &text);
    const QRect r = layout(option, index, m, option.rect.top()).text;
    if (!text || (!nearest && !r.contains(pos)))
        return -1;
    const QPointF at = pos - r.topLeft() - QPoint(0, m.inkAbove);
    if (text->lineCount() == 0)
        return 0;
    if (at.y() < 0)
        return 0;
    for (int i = 0; i < text->lineCount(); ++i) {
        const QTextLine line = text->lineAt(i);
        if (at.y() < line.y() + line.height())
            return line.xToCursor(at.x());
    }
    const QTextLine last = text->lineAt(text->lineCount() - 1);
    return nearest ? last.textStart() + last.textLength() : -1;
}

QUrl MessageDelegate::linkAt(const QModelIndex &index, const QPoint &pos) const
{
    const int at = cursorAt(index, pos);
    if (at < 0)
        return {};
    const QStyleOptionViewItem option = optionFor(index);
    const Measured &m = measured(option, index);
    for (const auto &[start, length] : m.links) {
        // The cursor position left of the character under the mouse, or right of it.
        if (at >= start && at < start + length)
            return toUrl(m.shown.shown.mid(start, length));
    }
    return {};
}

void MessageDelegate::setSelection(const QModelIndex &index, int anchor, int position)
{
    m_selection = {keyOf(index), anchor, position};
}

void MessageDelegate::clearSelection()
{
    m_selection = {};
}

bool MessageDelegate::hasSelection(const QModelIndex &index) const
{
    return m_selection.anchor != m_selection.position && m_selection.key == keyOf(index);
}

QString MessageDelegate::selectedText() const
{
    if (m_selection.anchor == m_selection.position)
        return {};
    const auto it = m_measured.constFind(m_selection.key);
    if (it == m_measured.cend())
        return {};
    const int from = qMin(m_selection.anchor, m_selection.position);
    const int to = qMax(m_selection.anchor, m_selection.position);
    // The shown text keeps the message's own line breaks.
    return it->shown.shown.mid(from, to - from);
}

// --- Searching in the window (issue 15) ---
void MessageDelegate::setFindHighlight(const QString &term, const QUuid &current)
{
    m_findTerm = term;
    m_findCurrent = current;
}

QList<std::pair<int, int>> MessageDelegate::findMatches(const QModelIndex &index) const
{
    QList<std::pair<int, int>> out;
    if (m_findTerm.isEmpty() || isFile(index) || isGroupEvent(index))
        return out;
    // The text as shown (what the layout draws, unit for unit); measured() keeps it.
    const auto it = m_measured.constFind(keyOf(index));
    const QString shown
        = it != m_measured.cend() && it->width >= 0
              ? it->shown.shown
              : MessageText::fromText(index.data(ConversationModel::TextRole).toString()).shown;
    for (qsizetype at = shown.indexOf(m_findTerm, 0, Qt::CaseInsensitive); at >= 0;
         at = shown.indexOf(m_findTerm, at + m_findTerm.size(), Qt::CaseInsensitive))
        out.append({int(at), int(m_findTerm.size())});
    return out;
}
// --- end searching in the window ---
