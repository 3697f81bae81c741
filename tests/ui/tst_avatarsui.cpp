// SPDX-License-Identifier: GPL-3.0-or-later
// Avatars and emoji (issue 15) in the window: the generated avatar (initials, a colour per ID
// that never changes), the crop dialog, the Settings row that sets one's picture, the emoji
// picker (search, click to insert, recently used first) beside the message box.
#include "../common/testpeer.h"
#include "avatarcropdialog.h"
#include "avatarpainter.h"
#include "avatarsettings.h"
#include "conversationpane.h"
#include "emojidata.h"
#include "emojifont.h"
#include "emojipicker.h"
#include "messageinput.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace {

// The contrast ratio of `a` against `b` (WCAG 2).
qreal contrast(const QColor &a, const QColor &b)
{
    auto luminance = [](const QColor &c) {
        auto channel = [](qreal v) {
            return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF())
               + 0.0722 * channel(c.blueF());
    };
    const qreal la = luminance(a), lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

QListWidgetItem *itemWithText(QListWidget *grid, const QString &text)
{
    for (int i = 0; i < grid->count(); ++i) {
        if (grid->item(i)->text() == text)
            return grid->item(i);
    }
    return nullptr;
}

void click(QListWidget *grid, QListWidgetItem *item)
{
    QTest::mouseClick(grid->viewport(), Qt::LeftButton, {}, grid->visualItemRect(item).center());
}

// Pixels of `image` in a clear colour (not grey, not near black or white): what a colour emoji
// has and a monochrome glyph has not.
int colouredPixels(const QImage &image)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.hsvSaturation() > 100 && c.value() > 60)
                ++n;
        }
    }
    return n;
}
} // namespace

class tst_AvatarsUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initials_data();
    void initials();
    void colourStablePerIdAndReadable();
    void generatedAvatarDrawsInitialsOnItsColour();
    void cropDialogMovesAndResizesTheSquare();
    void settingsRowSetsAndRemovesThePicture();
    void emojiDataHasEveryGroup();
    void pickerSearchesAndInsertsAtTheCursor();
    void recentlyUsedComeFirst();
    void everyGroupTabFits();
    void emojiRangesInText();
    void emojiDrawnInColour();

private:
    QTemporaryDir m_settingsDir;
};

void tst_AvatarsUi::initTestCase()
{
    // The picker's recently used go to the profile's shoal.ini, never the desktop-wide
    // QSettings(); that one is sent to a folder of this test's own, to see nothing goes there.
    QCoreApplication::setOrganizationName(u"ShoalTest"_s);
    QCoreApplication::setApplicationName(u"tst_avatarsui"_s);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QSettings().clear();
}

void tst_AvatarsUi::initials_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("initials");
    QTest::newRow("one word") << u"alice"_s << u"A"_s;
    QTest::newRow("two words") << u"Ada Lovelace"_s << u"AL"_s;
    QTest::newRow("three words: first and last") << u"Grace Brewster Hopper"_s << u"GH"_s;
    QTest::newRow("extra spaces") << u"  bob   smith "_s << u"BS"_s;
    QTest::newRow("Chinese: first character") << u"王小明"_s << u"王"_s;
    QTest::newRow("Chinese with a space") << u"王 小明"_s << u"王"_s;
    QTest::newRow("Japanese") << u"さくら"_s << u"さ"_s;
    QTest::newRow("Korean") << u"김민준"_s << u"김"_s;
    QTest::newRow("punctuation first") << u"(bob) jones"_s << u"BJ"_s;
    QTest::newRow("outside the BMP") << u"𝐀lpha"_s << u"𝐀"_s;
    QTest::newRow("emoji only") << u"🎉🎉"_s << u"?"_s;
    QTest::newRow("empty") << QString() << u"?"_s;
}

void tst_AvatarsUi::initials()
{
    QFETCH(QString, name);
    QFETCH(QString, initials);
    QCOMPARE(AvatarPainter::initials(name), initials);
}

void tst_AvatarsUi::colourStablePerIdAndReadable()
{
    // The same ID, the same colour: on every screen and every run (this one is fixed here).
    const QString id = u"c95b0e4d"_s + QString(56, u'0');
    QCOMPARE(AvatarPainter::colorFor(id), AvatarPainter::colorFor(QString(id)));
    QCOMPARE(AvatarPainter::colorFor(id),
             AvatarPainter::palette().at(0xc95b0e4d % AvatarPainter::palette().size()));
    // Different IDs spread over the palette.
    QSet<QRgb> seen;
    for (int i = 0; i < 64; ++i)
        seen.insert(AvatarPainter::colorFor(
                        QString::fromLatin1(QCryptographicHash::hash(QByteArray::number(i),
                                                                     QCryptographicHash::Sha256)
                                                .toHex()))
                        .rgb());
    QVERIFY(seen.size() >= AvatarPainter::palette().size() / 2);
    // White initials readable on every colour (WCAG AA for text, 4.5:1); the circle is its own
    // background, so light and dark themes alike.
    for (const QColor &c : AvatarPainter::palette())
        QVERIFY2(contrast(c, Qt::white) >= 4.5, qPrintable(c.name()));
}

void tst_AvatarsUi::generatedAvatarDrawsInitialsOnItsColour()
{
    const QString id = QString(64, u'a');
    const QPixmap p = AvatarPainter::pixmap(64, 1.0, QImage(), u"Ada Lovelace"_s, id);
    const QImage image = p.toImage();
    QCOMPARE(image.pixelColor(32, 4),
             AvatarPainter::colorFor(id));       // inside the circle, above the letters
    QCOMPARE(image.pixelColor(0, 0).alpha(), 0); // outside: transparent
    bool white = false;
    for (int x = 10; x < 54 && !white; ++x)
        white = image.pixelColor(x, 32) == QColor(Qt::white);
    QVERIFY(white); // the letters
    // With a picture, the picture.
    QImage red(16, 16, QImage::Format_RGB32);
    red.fill(Qt::red);
    const QImage withPicture = AvatarPainter::pixmap(64, 1.0, red, u"Ada"_s, id).toImage();
    QCOMPARE(withPicture.pixelColor(32, 32), QColor(Qt::red));
}

void tst_AvatarsUi::cropDialogMovesAndResizesTheSquare()
{
    QImage image(400, 200, QImage::Format_RGB32);
    image.fill(Qt::green);
    AvatarCropDialog dialog(image);
    dialog.resize(600, 360);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QCOMPARE(dialog.crop(), QRect(100, 0, 200, 200)); // centred, as large as fits
    AvatarCropArea *area = dialog.area();
    // Resize from the corner: smaller.
    const qreal scale = qMin(qreal(area->width()) / 400, qreal(area->height()) / 200);
    const QPointF origin((area->width() - 400 * scale) / 2, (area->height() - 200 * scale) / 2);
    const QPoint corner = (origin + QPointF(300, 200) * scale - QPointF(4, 4)).toPoint();
    QTest::mousePress(area, Qt::LeftButton, {}, corner);
    QTest::mouseMove(area, corner - QPoint(int(100 * scale), int(100 * scale)));
    QTest::mouseRelease(area,
                        Qt::LeftButton,
                        {},
                        corner - QPoint(int(100 * scale), int(100 * scale)));
    QVERIFY2(dialog.crop().width() < 130 && dialog.crop().width() > 70,
             qPrintable(QString::number(dialog.crop().width())));
    QCOMPARE(dialog.crop().width(), dialog.crop().height());
    // Move it: dragged past the left edge, it stops there.
    const QPoint inside = (origin + QPointF(dialog.crop().center()) * scale).toPoint();
    QTest::mousePress(area, Qt::LeftButton, {}, inside);
    QTest::mouseMove(area, inside - QPoint(area->width(), 0));
    QTest::mouseRelease(area, Qt::LeftButton, {}, inside - QPoint(area->width(), 0));
    QCOMPARE(dialog.crop().left(), 0);
    QVERIFY(!dialog.preview()->pixmap().isNull());
}

void tst_AvatarsUi::settingsRowSetsAndRemovesThePicture()
{
    auto messenger = makePeer(u"Ada Lovelace"_s);
    AvatarSettings row(*messenger, messenger->name());
    QVERIFY(!row.removeButton()->isEnabled()); // the generated avatar: nothing to remove
    QImage blue(300, 200, QImage::Format_RGB32);
    blue.fill(Qt::blue);
    QVERIFY(row.usePicture(blue, QRect(0, 0, 200, 200)));
    QCOMPARE(messenger->avatar(messenger->id()).size(), QSize(128, 128));
    QVERIFY(row.removeButton()->isEnabled());
    QCOMPARE(row.preview()->pixmap().toImage().pixelColor(24, 24), QColor(Qt::blue));
    row.removeButton()->click();
    QVERIFY(messenger->avatar(messenger->id()).isNull());
    QVERIFY(!row.removeButton()->isEnabled());
}

void tst_AvatarsUi::emojiDataHasEveryGroup()
{
    const auto &all = EmojiData::all();
    QVERIFY(all.size() > 1500);
    QSet<int> groups;
    for (const auto &e : all)
        groups.insert(e.group);
    QCOMPARE(groups.size(), EmojiData::groupCount());
    QCOMPARE(all.first().text, u"😀"_s);
    QCOMPARE(all.first().name, u"grinning face"_s);
}

void tst_AvatarsUi::pickerSearchesAndInsertsAtTheCursor()
{
    const QString file = m_settingsDir.filePath(u"pane-shoal.ini"_s);
    auto messenger = makePeer(u"Alice"_s);
    ConversationPane pane(*messenger);
    pane.setEmojiSettingsFile(file);
    pane.resize(700, 500);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QVERIFY(!pane.emojiButton()->isEnabled()); // no conversation open: nothing to write in
    // and it looks it: greyed, not the yellow face of a button that works.
    const auto colourful = [](const QImage &image) {
        int count = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x)
                count += QColor(image.pixel(x, y)).hsvSaturation() > 80 ? 1 : 0;
        }
        return count;
    };
    const QImage off = pane.emojiButton()->grab().toImage();
    QCOMPARE(colourful(off), 0);
    pane.showPeer(QString(64, u'b')); // a conversation with someone not met yet
    QVERIFY(pane.emojiButton()->isEnabled());
    QVERIFY(pane.emojiButton()->grab().toImage() != off);
    MessageInput *input = pane.input();
    input->setPlainText(u"hello world"_s);
    QTextCursor cursor = input->textCursor();
    cursor.setPosition(5); // after "hello"
    input->setTextCursor(cursor);

    pane.emojiButton()->click();
    auto *picker = pane.emojiButton()->findChild<EmojiPicker *>();
    QVERIFY(picker);
    QTRY_VERIFY(picker->isVisible());
    // Above the button, its right edge on the button's: over the window, not hanging out of it.
    const QRect button(pane.emojiButton()->mapToGlobal(QPoint(0, 0)), pane.emojiButton()->size());
    // (Within the frame the platform may draw around a popup.)
    QVERIFY2(qAbs(picker->geometry().right() - button.right()) <= 4,
             qPrintable(u"picker right %1, button right %2"_s.arg(picker->geometry().right())
                            .arg(button.right())));
    QVERIFY(picker->geometry().center().y() < button.top()); // above it
    QTest::keyClicks(picker->searchField(), u"grinning"_s);
    QVERIFY(picker->grid()->count() >= 2);
    for (int i = 0; i < picker->grid()->count(); ++i)
        QVERIFY(picker->grid()->item(i)->toolTip().contains(u"grinning"_s));
    QListWidgetItem *grinning = itemWithText(picker->grid(), u"😀"_s);
    QVERIFY(grinning);
    click(picker->grid(), grinning);
    QCOMPARE(input->toPlainText(), u"hello😀 world"_s);
    QTRY_VERIFY(!picker->isVisible());
    // Remembered in the file the pane was given (the profile's shoal.ini in the app).
    QCOMPARE(QSettings(file, QSettings::IniFormat).value(u"emoji/recent"_s).toStringList(),
             QStringList{u"😀"_s});
    QVERIFY(!QSettings().contains(u"emoji/recent"_s));
}

void tst_AvatarsUi::recentlyUsedComeFirst()
{
    const QString file = m_settingsDir.filePath(u"shoal.ini"_s);
    QFile::remove(file);
    QPlainTextEdit input;
    EmojiPicker first(file);
    QSignalSpy chosen(&first, &EmojiPicker::emojiChosen);
    first.show();
    QVERIFY(QTest::qWaitForWindowExposed(&first));
    // Each tab is one emoji, its group named in the tool tip ("&" as itself there).
    QCOMPARE(first.tabs()->tabToolTip(0), EmojiPicker::tr("Recently used"));
    QCOMPARE(first.tabs()->tabToolTip(1), u"Smileys & Emotion"_s);
    QCOMPARE(first.tabs()->tabToolTip(EmojiData::groupCount()), EmojiData::groupName(8));
    QCOMPARE(first.tabs()->currentIndex(), 1); // nothing used yet: the smileys
    QTest::keyClicks(first.searchField(), u"red heart"_s);
    click(first.grid(), itemWithText(first.grid(), u"❤️"_s));
    QCOMPARE(chosen.size(), 1);
    EmojiPicker second(file);
    second.show();
    QVERIFY(QTest::qWaitForWindowExposed(&second));
    QTest::keyClicks(second.searchField(), u"thumbs up"_s);
    click(second.grid(), itemWithText(second.grid(), u"👍"_s));
    // The next picker opens on the recently used, the latest first.
    EmojiPicker third(file);
    QCOMPARE(third.tabs()->currentIndex(), 0);
    QCOMPARE(third.grid()->count(), 2);
    QCOMPARE(third.grid()->item(0)->text(), u"👍"_s);
    QCOMPARE(third.grid()->item(1)->text(), u"❤️"_s);
    QCOMPARE(third.recent(), (QStringList{u"👍"_s, u"❤️"_s}));
    // Kept in the given settings file, owner-only like the rest of the profile, and nowhere
    // else (it went to a desktop-wide "Unknown Organization/shoal.conf", whatever the profile).
    QCOMPARE(QSettings(file, QSettings::IniFormat).value(u"emoji/recent"_s).toStringList(),
             (QStringList{u"👍"_s, u"❤️"_s}));
    QCOMPARE(QFileInfo(file).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QVERIFY(!QSettings().contains(u"emoji/recent"_s));
    // Without a file (no profile), a picker still works; nothing is kept.
    EmojiPicker alone;
    QCOMPARE(alone.tabs()->currentIndex(), 1);
}

void tst_AvatarsUi::everyGroupTabFits()
{
    // At the size it opens at, every group's tab is in sight and one click away: ten names
    // were cut ("People &") behind scroll arrows.
    EmojiPicker picker(QString{});
    picker.show();
    QVERIFY(QTest::qWaitForWindowExposed(&picker));
    QTabBar *tabs = picker.tabs();
    QCOMPARE(tabs->count(), EmojiData::groupCount() + 1);
    for (int tab = 0; tab < tabs->count(); ++tab) {
        QVERIFY2(tabs->rect().contains(tabs->tabRect(tab)), qPrintable(QString::number(tab)));
        QVERIFY(!tabs->tabIcon(tab).isNull());
        QVERIFY(!tabs->tabToolTip(tab).isEmpty());
        QCOMPARE(tabs->accessibleTabName(tab), tabs->tabToolTip(tab));
    }
    for (const QToolButton *arrow : tabs->findChildren<QToolButton *>())
        QVERIFY(!arrow->isVisible());
    // The last group, Flags, with a click.
    QTest::mouseClick(tabs, Qt::LeftButton, {}, tabs->tabRect(tabs->count() - 1).center());
    QCOMPARE(tabs->currentIndex(), EmojiData::groupCount());
    QVERIFY(itemWithText(picker.grid(), u"🏁"_s));
}

void tst_AvatarsUi::emojiRangesInText()
{
    QVERIFY2(!EmojiFont::colourFamily().isEmpty(),
             "no colour emoji font: scripts/setup.sh installs fonts-noto-color-emoji");
    // Emoji (with a skin tone, a ZWJ family, a flag, a keycap, a default-emoji symbol) are
    // ranges of whole clusters; digits, '#', letters, CJK and text-style symbols are not.
    const QString text
        = u"12 # hi 😀 ok 👍🏽👨‍👩‍👧 🇨🇳 午饭 1️⃣ ☕ ✓ ©"_s;
    QStringList found;
    for (const QTextLayout::FormatRange &r : EmojiFont::ranges(text)) {
        found.append(text.mid(r.start, r.length));
        QCOMPARE(r.format.fontFamilies().toStringList(), QStringList{EmojiFont::colourFamily()});
    }
    QCOMPARE(found,
             (QStringList{u"😀"_s, u"👍🏽👨‍👩‍👧"_s, u"🇨🇳"_s, u"1️⃣"_s, u"☕"_s}));
    QVERIFY(EmojiFont::ranges(u"plain text 123"_s).isEmpty());
}

void tst_AvatarsUi::emojiDrawnInColour()
{
    // DejaVu Sans has a monochrome 😀 and fontconfig prefers it: the picker and a message's
    // text must draw it with the colour font.
    QVERIFY2(!EmojiFont::colourFamily().isEmpty(),
             "no colour emoji font: scripts/setup.sh installs fonts-noto-color-emoji");
    EmojiPicker picker(m_settingsDir.filePath(u"colour.ini"_s));
    picker.show();
    QVERIFY(QTest::qWaitForWindowExposed(&picker));
    QTest::keyClicks(picker.searchField(), u"grinning face"_s);
    QListWidgetItem *grinning = itemWithText(picker.grid(), u"😀"_s);
    QVERIFY(grinning);
    const QRect cell = picker.grid()->visualItemRect(grinning);
    const QImage shown = picker.grid()->viewport()->grab(cell).toImage();
    QVERIFY2(colouredPixels(shown) > 20, qPrintable(QString::number(colouredPixels(shown))));

    // A message's text as the bubble lays it out: the font of the window, the emoji's ranges.
    const QString text = u"lunch? 😀"_s;
    QTextLayout layout(text, QFont());
    layout.setFormats(EmojiFont::ranges(text));
    layout.beginLayout();
    QTextLine line = layout.createLine();
    line.setLineWidth(400);
    layout.endLayout();
    QImage image(QSize(400, int(line.height()) + 4), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setPen(Qt::black);
    layout.draw(&painter, QPointF(2, 2));
    painter.end();
    QVERIFY2(colouredPixels(image) > 20, qPrintable(QString::number(colouredPixels(image))));

    // The message box, as it is typed.
    MessageInput input;
    input.resize(300, 80);
    input.show();
    QVERIFY(QTest::qWaitForWindowExposed(&input));
    QTest::keyClicks(&input, u"lunch? "_s);
    input.insertPlainText(u"😀"_s);
    QCOMPARE(input.toPlainText(), u"lunch? 😀"_s);
    const QImage typed = input.viewport()->grab().toImage();
    QVERIFY2(colouredPixels(typed) > 20, qPrintable(QString::number(colouredPixels(typed))));
}

QTEST_MAIN(tst_AvatarsUi)
#include "tst_avatarsui.moc"
