#include "messagedelegate.h"

#include "messagetext.h"
#include "models/conversationmodel.h"

#include <QAbstractItemView>
#include <QGlyphRun>
#include <QPainter>
#include <QScrollBar>
#include <QTextLayout>

#include <cmath>

static constexpr int Padding = 8;
static constexpr int Gap = 4;
static constexpr int Side = 12;

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

} // namespace

MessageDelegate::MessageDelegate(QAbstractItemView *view)
    : QStyledItemDelegate(view)
    , m_view(view)
{}

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
    if (index.data(ConversationModel::OutgoingRole).toBool())
        time += QStringLiteral("  ") + stateText(index.data(ConversationModel::StateRole).toInt());
    return time;
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
    if (m.width == width && m.font == option.font && m.source == source) {
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
    }
    const MessageText &shown = m.shown;
    // Wrapped at word boundaries, or anywhere when a word is wider than the bubble (links).
    auto *text = new QTextLayout(shown.shown, option.font);
    QTextOption wrap;
    wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    text->setTextOption(wrap);
    text->setFormats(shown.markers);
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
    QStyleOptionViewItem option;
    option.font = m_view->font();
    return measured(option, index).shortened;
}

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option,
                                                const QModelIndex &index,
                                                const Measured &text,
                                                int top) const
{
    const int viewWidth = m_view->viewport()->width();
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
    const int height = text.size.height() + noteHeight + Gap + sfm.height();
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    const int left = outgoing ? viewWidth - Side - width - 2 * Padding : Side;

    Layout l;
    l.bubble = QRect(left, top + Gap, width + 2 * Padding, height + 2 * Padding);
    l.text = QRect(left + Padding, top + Gap + Padding, width, text.size.height());
    int below = l.text.bottom();
    if (text.shortened) {
        l.note = QRect(left + Padding, below + Gap, width, sfm.height());
        below = l.note.bottom();
    }
    l.footer = QRect(left + Padding, below + Gap, width, sfm.height());
    return l;
}

void MessageDelegate::paint(QPainter *painter,
                            const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QTextLayout *text = nullptr;
    const Measured &m = measured(option, index, &text);
    const Layout l = layout(option, index, m, option.rect.top());
    const bool outgoing = index.data(ConversationModel::OutgoingRole).toBool();
    const QPalette &pal = option.palette;

    painter->save();
    // Nothing a text draws (stacked marks, tall glyphs) reaches beyond its own bubble.
    painter->setClipRect(l.bubble.adjusted(-1, -1, 1, 1), Qt::IntersectClip);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(outgoing ? QColor(0xd4, 0xea, 0xff) : pal.color(QPalette::AlternateBase));
    painter->drawRoundedRect(l.bubble, 10, 10);
    if (option.state & QStyle::State_Selected) {
        painter->setPen(QPen(pal.color(QPalette::Highlight), 1.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(l.bubble, 10, 10);
    }

    painter->setPen(outgoing ? QColor(0x10, 0x20, 0x30) : pal.color(QPalette::Text));
    if (text)
        text->draw(painter, l.text.topLeft() + QPoint(0, m.inkAbove), {}, l.text);

    const QFont small = smallFont(option.font);
    painter->setFont(small);
    if (m.shortened) {
        painter->setPen(pal.color(QPalette::Link));
        painter->drawText(l.note,
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetrics(small).elidedText(noteText(m),
                                                         Qt::ElideRight,
                                                         l.note.width()));
    }
    painter->setPen(QColor(0x70, 0x70, 0x70));
    const int state = index.data(ConversationModel::StateRole).toInt();
    if (outgoing && MessageState(state) == MessageState::Failed)
        painter->setPen(QColor(0xc0, 0x30, 0x30));
    painter->drawText(l.footer, Qt::AlignRight | Qt::AlignVCenter, footerText(index));
    painter->restore();
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const Layout l = layout(option, index, measured(option, index), 0);
    return {m_view->viewport()->width(), l.bubble.bottom() + Gap};
}
