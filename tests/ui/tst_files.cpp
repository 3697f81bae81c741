// SPDX-License-Identifier: GPL-3.0-or-later
// The window's side of file transfers as a person meets it: files dropped on a conversation, a
// picture pasted, a transfer's item in each state (its buttons, its progress), the Transfers
// window's order and its buttons, and thumbnails that refuse a decompression bomb.
#include "conversationpane.h"
#include "fileitem.h"
#include "mainwindow.h"
#include "messagedelegate.h"
#include "messageinput.h"
#include "messenger/messenger.h"
#include "models/conversationmodel.h"
#include "models/transferlistmodel.h"
#include "net/networksafety.h"
#include "notifier.h"
#include "peerlistview.h"
#include "settingsdialog.h"
#include "storage/messagestore.h"
#include "testpeer.h"
#include "thumbnailloader.h"
#include "transferdelegate.h"
#include "transferswindow.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMimeData>
#include <QSet>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 MiB = 1024 * 1024;

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xffffffffu;
    for (char c : data) {
        crc ^= quint8(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray chunk(const char *type, const QByteArray &data)
{
    QByteArray out(4, '\0');
    qToBigEndian(quint32(data.size()), out.data());
    const QByteArray body = QByteArray(type) + data;
    out += body;
    QByteArray crc(4, '\0');
    qToBigEndian(crc32(body), crc.data());
    return out + crc;
}

// A valid PNG header claiming width × height RGBA pixels, with a few rows of data: what a
// peer could send to make a decoder allocate gigabytes.
QByteArray bombPng(quint32 width, quint32 height)
{
    QByteArray ihdr(13, '\0');
    qToBigEndian(width, ihdr.data());
    qToBigEndian(height, ihdr.data() + 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 6; // RGBA
    const QByteArray rows(4 * (1 + 4 * qint64(width)), '\0');
    const QByteArray zlib = qCompress(rows).mid(4); // qCompress puts the size first
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", zlib)
           + chunk("IEND", {});
}

TransferInfo transfer(TransferState state, bool outgoing)
{
    TransferInfo t;
    t.id = QUuid::createUuid();
    t.peerId = u"peer"_s;
    t.outgoing = outgoing;
    t.createdAt = QDateTime::currentDateTimeUtc();
    t.name = u"holiday.mp4"_s;
    t.size = 4 * MiB;
    t.files = 1;
    t.state = state;
    return t;
}

} // namespace

class tst_Files : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void dropSendsLocalFilesOnly();
    void dropOnTheBoxSendsToo();
    void pasteOfPictureSendsPng();
    void pasteOfTextStaysText();
    void fileItemInEachState_data();
    void fileItemInEachState();
    void progressText();
    void transfersWindowActiveFirst();
    void transfersWindowButtonsAct();
    void thumbnailRefusesBomb();
    void thumbnailShownOnceDone();
    void conversationKnowsItsTransfers();
    void itemGrowsWhenItStarts();
    void downloadFolderAndAlwaysAcceptKept();
    void offerNotifiedWhileAway();

private:
    void openWindow();
    ConversationPane *pane() const { return m_window->conversation(); }

    std::unique_ptr<Messenger> m_alice;
    std::unique_ptr<Messenger> m_bob;
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void tst_Files::initTestCase()
{
    // Network safety: whatever this test does, Shoal sends nothing beyond this host.
    qputenv("SHOAL_LOOPBACK_ONLY", "1");
    QVERIFY(NetworkSafety::loopbackOnly());
    QStandardPaths::setTestModeEnabled(true); // pasted pictures go to a test cache
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QVERIFY(m_dir.isValid());
}

void tst_Files::init()
{
    m_alice = makePeer(u"Alice"_s);
    m_bob = makePeer(u"Bob"_s);
}

void tst_Files::cleanup()
{
    m_window.reset();
    m_bob.reset();
    m_alice.reset();
}

void tst_Files::openWindow()
{
    QString error;
    m_bob->connectToAddress(u"127.0.0.1:%1"_s.arg(m_alice->port()), &error);
    QTRY_VERIFY(m_alice->peers()->peer(m_bob->id()));
    m_window = std::make_unique<MainWindow>(*m_alice, ProfileSettings{});
    m_window->resize(900, 640);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->peerList()->selectPeer(m_bob->id());
    QCOMPARE(pane()->peerId(), m_bob->id());
}

void tst_Files::dropSendsLocalFilesOnly()
{
    openWindow();
    QSignalSpy requests(pane(), &ConversationPane::sendFilesRequested);
    const QString file = m_dir.filePath(u"report.pdf"_s);
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    QVERIFY(QDir(m_dir.path()).mkpath(u"photos"_s));
    const QString folder = m_dir.filePath(u"photos"_s);

    auto drop = [this](const QList<QUrl> &urls) {
        QMimeData data;
        data.setUrls(urls);
        const QPoint at = pane()->messageView()->geometry().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(pane(), &enter);
        if (!enter.isAccepted())
            return false;
        QDropEvent dropped(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(pane(), &dropped);
        return dropped.isAccepted();
    };
    // A web link among the files is not ours to send; the files are.
    QVERIFY(drop({QUrl::fromLocalFile(file),
                  QUrl(u"https://example.org/x.zip"_s),
                  QUrl::fromLocalFile(folder)}));
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.at(0).at(0).toString(), m_bob->id());
    QCOMPARE(requests.at(0).at(1).toStringList(), (QStringList{file, folder}));
    QCOMPARE(requests.at(0).at(2).toBool(), false);
    // One folder goes as a folder.
    QVERIFY(drop({QUrl::fromLocalFile(folder)}));
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests.at(1).at(1).toStringList(), QStringList{folder});
    QCOMPARE(requests.at(1).at(2).toBool(), true);
    // Only links: the drag is refused, nothing asked.
    QVERIFY(!drop({QUrl(u"https://example.org/a"_s), QUrl(u"ftp://example.org/b"_s)}));
    QCOMPARE(requests.size(), 2);
    // The window asked the messenger; what it said when it refused is shown.
    QString error;
    if (!m_alice->sendFiles(m_bob->id(), {file}, false, &error))
        QTRY_COMPARE(pane()->errorLabel()->text(), error);
}

void tst_Files::dropOnTheBoxSendsToo()
{
    openWindow();
    QSignalSpy requests(pane(), &ConversationPane::sendFilesRequested);
    const QString file = m_dir.filePath(u"notes.txt"_s);
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(file)});
    data.setText(file); // file managers offer the path as text too: it is not typed in
    QWidget *box = pane()->input()->viewport();
    const QPoint at = box->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(box, &enter);
    QVERIFY(enter.isAccepted());
    QDragMoveEvent move(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(box, &move);
    QDropEvent dropped(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(box, &dropped);
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.at(0).at(1).toStringList(), QStringList{file});
    QCOMPARE(pane()->input()->toPlainText(), QString());
}

void tst_Files::pasteOfPictureSendsPng()
{
    openWindow();
    QSignalSpy requests(pane(), &ConversationPane::sendFilesRequested);
    QImage picture(40, 30, QImage::Format_RGB32);
    picture.fill(Qt::red);
    auto *data = new QMimeData;
    data->setImageData(picture);
    QApplication::clipboard()->setMimeData(data);
    MessageInput *input = pane()->input();
    input->setFocus();
    QTest::keySequence(input, QKeySequence::Paste);
    QTRY_COMPARE(requests.size(), 1); // encoded in the background
    QCOMPARE(requests.at(0).at(0).toString(), m_bob->id());
    const QStringList paths = requests.at(0).at(1).toStringList();
    QCOMPARE(paths.size(), 1);
    const QFileInfo written(paths.first());
    QVERIFY2(written.fileName().startsWith(u"Pasted image "_s), qPrintable(written.fileName()));
    QCOMPARE(written.suffix(), u"png"_s);
    QVERIFY(written.absolutePath().startsWith(
        QStandardPaths::writableLocation(QStandardPaths::CacheLocation)));
    const QImage read(written.filePath(), "PNG");
    QCOMPARE(read.size(), picture.size());
    QCOMPARE(read.pixelColor(5, 5), QColor(Qt::red));
    QCOMPARE(input->toPlainText(), QString());
    // A second paste in the same second gets its own file.
    QTest::keySequence(input, QKeySequence::Paste);
    QTRY_COMPARE(requests.size(), 2);
    QVERIFY(requests.at(1).at(1).toStringList().first() != paths.first());
    QFile::remove(paths.first());
    QFile::remove(requests.at(1).at(1).toStringList().first());
}

void tst_Files::pasteOfTextStaysText()
{
    openWindow();
    QSignalSpy requests(pane(), &ConversationPane::sendFilesRequested);
    const QDir pasted(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
                      + u"/pasted"_s);
    const QStringList before = pasted.entryList(QDir::Files);
    QApplication::clipboard()->setText(u"hello there"_s);
    MessageInput *input = pane()->input();
    input->setFocus();
    QTest::keySequence(input, QKeySequence::Paste);
    QCOMPARE(input->toPlainText(), u"hello there"_s);
    // Cells of a spreadsheet come as text and as their picture: text.
    input->clear();
    auto *both = new QMimeData;
    QImage picture(10, 10, QImage::Format_RGB32);
    picture.fill(Qt::blue);
    both->setImageData(picture);
    both->setText(u"a\tb"_s);
    QApplication::clipboard()->setMimeData(both);
    QTest::keySequence(input, QKeySequence::Paste);
    QCOMPARE(input->toPlainText(), u"a\tb"_s);
    QCOMPARE(requests.size(), 0);
    QCOMPARE(pasted.entryList(QDir::Files), before); // no picture written either
}

void tst_Files::fileItemInEachState_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<bool>("outgoing");
    QTest::addColumn<QStringList>("buttons");
    QTest::addColumn<bool>("progress");
    const QStringList none;
    QTest::newRow("offered to us")
        << int(TransferState::Offered) << false
        << QStringList{u"Accept"_s, u"Save as…"_s, u"Decline"_s} << false;
    QTest::newRow("offered by us")
        << int(TransferState::Offered) << true << QStringList{u"Cancel"_s} << false;
    QTest::newRow("waiting its turn")
        << int(TransferState::Accepted) << false << QStringList{u"Cancel"_s} << false;
    QTest::newRow("receiving") << int(TransferState::Running) << false
                               << QStringList{u"Pause"_s, u"Cancel"_s} << true;
    QTest::newRow("sending") << int(TransferState::Running) << true
                             << QStringList{u"Pause"_s, u"Cancel"_s} << true;
    QTest::newRow("paused") << int(TransferState::Paused) << true
                            << QStringList{u"Resume"_s, u"Cancel"_s} << true;
    QTest::newRow("received") << int(TransferState::Done) << false
                              << QStringList{u"Open"_s, u"Show in folder"_s} << false;
    QTest::newRow("sent") << int(TransferState::Done) << true << QStringList{u"Show in folder"_s}
                          << false;
    QTest::newRow("failed") << int(TransferState::Failed) << false << none << false;
    QTest::newRow("declined") << int(TransferState::Declined) << true << none << false;
    QTest::newRow("cancelled") << int(TransferState::Cancelled) << false << none << false;
}

void tst_Files::fileItemInEachState()
{
    QFETCH(int, state);
    QFETCH(bool, outgoing);
    QFETCH(QStringList, buttons);
    QFETCH(bool, progress);

    TransferInfo t = transfer(TransferState(state), outgoing);
    t.bytesDone = MiB;
    t.bytesPerSecond = double(MiB);
    t.sourceDir = m_dir.path();
    t.savedPath = m_dir.filePath(t.name);
    t.error = TransferState(state) == TransferState::Failed ? u"the disk is full"_s : QString();

    // A conversation with this one item, painted by the conversation's delegate.
    QStandardItemModel model;
    auto *item = new QStandardItem;
    item->setData(t.id, ConversationModel::IdRole);
    item->setData(t.name, ConversationModel::TextRole);
    item->setData(outgoing, ConversationModel::OutgoingRole);
    item->setData(QDateTime::currentDateTimeUtc(), ConversationModel::SentAtRole);
    item->setData(int(MessageState::Delivered), ConversationModel::StateRole);
    item->setData(int(MessageKind::File), ConversationModel::KindRole);
    item->setData(QVariant::fromValue(t), ConversationModel::TransferRole);
    model.appendRow(item);
    QListView view;
    auto *delegate = new MessageDelegate(&view);
    view.setItemDelegate(delegate);
    view.setModel(&model);
    view.resize(700, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = model.index(0, 0);

    QStringList shown;
    const QRect bubble = delegate->bubbleRect(index);
    for (const auto &[action, rect] : delegate->fileButtons(index)) {
        shown.append(FileItem::actionText(action));
        QVERIFY(bubble.contains(rect));
        QVERIFY(delegate->fileActionAt(index, rect.center()) == action);
    }
    QCOMPARE(shown, buttons);
    QVERIFY(!delegate->fileActionAt(index, bubble.topLeft() + QPoint(2, 2)));
    // Own items on the right, the peer's on the left, like messages.
    QCOMPARE(bubble.center().x() > view.viewport()->width() / 2, outgoing);

    // What a screen reader says has the state and, while it runs, the progress.
    const QString said = MessageDelegate::accessibleText(index, u"Bob"_s);
    const QString progressText = u"1.0 MiB of 4.0 MiB"_s;
    QVERIFY2(said.contains(u"holiday.mp4"_s) && said.contains(u"4.0 MiB"_s), qPrintable(said));
    QCOMPARE(said.contains(progressText), progress);
    QVERIFY2(said.contains(FileItem(t).stateText()), qPrintable(said));
    if (!t.error.isEmpty())
        QVERIFY2(said.contains(t.error), qPrintable(said));

    // Painted: the bubble's buttons are drawn (not the bubble's flat colour).
    const QImage painted = view.viewport()->grab().toImage();
    for (const auto &[action, rect] : delegate->fileButtons(index)) {
        QSet<QRgb> colours;
        for (int x = rect.left(); x <= rect.right(); ++x)
            colours.insert(painted.pixel(x, rect.center().y()));
        QVERIFY2(colours.size() > 2, qPrintable(FileItem::actionText(action)));
    }
}

void tst_Files::progressText()
{
    TransferInfo t = transfer(TransferState::Running, false);
    t.bytesDone = MiB;
    t.bytesPerSecond = double(MiB);
    QCOMPARE(FileItem(t).progressText(), u"1.0 MiB of 4.0 MiB · 1.0 MiB/s · 3 s left"_s);
    t.size = 4000 * MiB;
    t.bytesPerSecond = 10.0 * MiB;
    QCOMPARE(FileItem(t).progressText(), u"1.0 MiB of 3.9 GiB · 10.0 MiB/s · 7 min left"_s);
    t.size = 100'000 * MiB;
    QCOMPARE(FileItem(t).progressText(), u"1.0 MiB of 97.7 GiB · 10.0 MiB/s · 2 h 47 min left"_s);
    // Paused: no speed, no time left.
    t.state = TransferState::Paused;
    QCOMPARE(FileItem(t).progressText(), u"1.0 MiB of 97.7 GiB"_s);
}

void tst_Files::transfersWindowActiveFirst()
{
    TransfersWindow window(*m_alice);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    TransferListModel *model = window.model();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto make = [&](const QString &name, TransferState state, int minutesAgo) {
        TransferInfo t = transfer(state, false);
        t.name = name;
        t.createdAt = now.addSecs(-60 * minutesAgo);
        model->updateTransfer(t);
        return t;
    };
    make(u"old done"_s, TransferState::Done, 50);
    TransferInfo running = make(u"old running"_s, TransferState::Running, 40);
    make(u"new offer"_s, TransferState::Offered, 1);
    make(u"new failed"_s, TransferState::Failed, 2);
    make(u"paused"_s, TransferState::Paused, 30);
    auto names = [model] {
        QStringList out;
        for (int row = 0; row < model->rowCount(); ++row)
            out.append(model->index(row, 0).data().toString());
        return out;
    };
    QCOMPARE(names(),
             (QStringList{u"new offer"_s,
                          u"paused"_s,
                          u"old running"_s,
                          u"new failed"_s,
                          u"old done"_s}));
    // Done now: it goes down among the finished ones, by its age.
    running.state = TransferState::Done;
    model->updateTransfer(running);
    QCOMPARE(names(),
             (QStringList{u"new offer"_s,
                          u"paused"_s,
                          u"new failed"_s,
                          u"old running"_s,
                          u"old done"_s}));
    // Progress alone changes the row, not the order.
    TransferInfo paused = model->transferAt(1);
    paused.bytesDone = 2 * MiB;
    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    model->updateTransfer(paused);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model->transferAt(1).bytesDone, 2 * MiB);
    QCOMPARE(window.view()->model()->rowCount(), 5);
    QVERIFY(window.view()->isVisible());
}

void tst_Files::transfersWindowButtonsAct()
{
    // The window comes from the menu entry's shortcut.
    openWindow();
    QTest::keyClick(m_window.get(), Qt::Key_T, Qt::ControlModifier | Qt::ShiftModifier);
    auto *window = m_window->findChild<TransfersWindow *>();
    QVERIFY(window);
    QVERIFY(QTest::qWaitForWindowExposed(window));
    TransferInfo offer = transfer(TransferState::Offered, false);
    offer.peerId = m_bob->id();
    window->model()->updateTransfer(offer);
    const QModelIndex index = window->model()->index(0, 0);
    QTRY_VERIFY(window->view()->isVisible() && window->view()->viewport()->width() > 300);
    window->view()->doItemsLayout();
    const auto buttons = window->delegate()->buttons(index);
    QCOMPARE(buttons.size(), 3);
    QCOMPARE(buttons.at(2).first, FileAction::Decline);
    // The peer is named on the item.
    QVERIFY2(window->delegate()->fileItem(index).detailText().contains(u"from Bob"_s),
             qPrintable(window->delegate()->fileItem(index).detailText()));
    // A click on Decline asks the messenger; it refuses an offer it does not know, and the
    // window says why.
    QTest::mouseClick(window->view()->viewport(), Qt::LeftButton, {}, buttons.at(2).second.center());
    QString expected;
    QVERIFY(!m_alice->declineTransfer(offer.id, &expected));
    QTRY_VERIFY(window->errorLabel()->isVisible());
    QCOMPARE(window->errorLabel()->text(), expected);
}

void tst_Files::thumbnailRefusesBomb()
{
    const QString bomb = m_dir.filePath(u"bomb.png"_s);
    QFile f(bomb);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bombPng(60'000, 60'000)); // 13 GiB once decoded
    f.close();
    QElapsedTimer timer;
    timer.start();
    QString error;
    QVERIFY(ThumbnailLoader::decode(bomb, 160, &error).isNull());
    QVERIFY(!error.isEmpty());
    QVERIFY2(timer.elapsed() < 5000, "refused before inflating it");

    // In the background: refused once, and not tried again.
    ThumbnailLoader loader;
    QSignalSpy ready(&loader, &ThumbnailLoader::ready);
    QVERIFY(loader.thumbnail(bomb, 160).isNull());
    QTRY_COMPARE(ready.size(), 1);
    QVERIFY(loader.thumbnail(bomb, 160).isNull());
    QTest::qWait(0);
    QCOMPARE(ready.size(), 1);
}

void tst_Files::thumbnailShownOnceDone()
{
    const QString path = m_dir.filePath(u"sunset.png"_s);
    QImage picture(800, 600, QImage::Format_RGB32);
    picture.fill(Qt::darkYellow);
    QVERIFY(picture.save(path));

    QString error;
    const QImage small = ThumbnailLoader::decode(path, 160, &error);
    QCOMPARE(small.size(), QSize(160, 120));

    TransferInfo t = transfer(TransferState::Running, false);
    t.name = u"sunset.png"_s;
    t.savedPath = path;
    QStandardItemModel model;
    auto *item = new QStandardItem;
    item->setData(t.id, ConversationModel::IdRole);
    item->setData(t.name, ConversationModel::TextRole);
    item->setData(false, ConversationModel::OutgoingRole);
    item->setData(int(MessageKind::File), ConversationModel::KindRole);
    item->setData(QVariant::fromValue(t), ConversationModel::TransferRole);
    model.appendRow(item);
    QListView view;
    auto *delegate = new MessageDelegate(&view);
    view.setItemDelegate(delegate);
    view.setModel(&model);
    view.resize(700, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QModelIndex index = model.index(0, 0);
    // Not verified yet: no thumbnail, whatever is on disk.
    QVERIFY(delegate->fileItem(index).thumbnail.isNull());
    // Done: the picture gets one, a file of another kind beside it does not.
    TransferInfo other = t;
    other.id = QUuid::createUuid();
    other.name = u"notes.txt"_s;
    other.savedPath = m_dir.filePath(other.name);
    other.state = TransferState::Done;
    auto *otherItem = new QStandardItem;
    otherItem->setData(other.id, ConversationModel::IdRole);
    otherItem->setData(other.name, ConversationModel::TextRole);
    otherItem->setData(false, ConversationModel::OutgoingRole);
    otherItem->setData(int(MessageKind::File), ConversationModel::KindRole);
    otherItem->setData(QVariant::fromValue(other), ConversationModel::TransferRole);
    model.appendRow(otherItem);
    t.state = TransferState::Done;
    item->setData(QVariant::fromValue(t), ConversationModel::TransferRole);
    QTRY_VERIFY(!delegate->fileItem(index).thumbnail.isNull());
    QCOMPARE(delegate->fileItem(index).thumbnail.size(), QSize(160, 120));
    QVERIFY(delegate->fileItem(model.index(1, 0)).thumbnail.isNull());
    // The view made room for it.
    QTRY_VERIFY(view.visualRect(index).height()
                >= view.visualRect(model.index(1, 0)).height() + 120);
    QVERIFY(delegate->bubbleRect(index).bottom() < delegate->bubbleRect(model.index(1, 0)).top());
}

void tst_Files::conversationKnowsItsTransfers()
{
    // A File item of the history gets its transfer's state from the messenger's reports.
    MessageStore store;
    QString error;
    QVERIFY2(store.open(u":memory:"_s, &error), qPrintable(error));
    ConversationModel model(store);
    model.setPeer(u"peer"_s);
    TransferInfo t = transfer(TransferState::Offered, false);
    ChatMessage item;
    item.id = t.id;
    item.peerId = t.peerId;
    item.sentAt = item.receivedAt = t.createdAt;
    item.text = t.name;
    item.state = MessageState::Delivered;
    item.kind = MessageKind::File;
    ChatMessage text = item;
    text.id = QUuid::createUuid();
    text.kind = MessageKind::Text;
    text.text = u"hi"_s;
    QVERIFY(store.addReceived(item));
    QVERIFY(store.addReceived(text));
    QTRY_COMPARE(model.rowCount(), 2);
    const QModelIndex file = model.index(0, 0);
    QCOMPARE(MessageKind(file.data(ConversationModel::KindRole).toInt()), MessageKind::File);
    QVERIFY(!file.data(ConversationModel::TransferRole).isValid()); // nothing known yet

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    t.state = TransferState::Running;
    t.bytesDone = MiB;
    model.updateTransfer(t);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
    const auto shown = file.data(ConversationModel::TransferRole).value<TransferInfo>();
    QCOMPARE(shown.state, TransferState::Running);
    QCOMPARE(shown.bytesDone, MiB);
    // A message is not a transfer, even with the same ID; another peer's transfer changes
    // nothing here, nor does one in the other direction.
    QVERIFY(!model.index(1, 0).data(ConversationModel::TransferRole).isValid());
    TransferInfo elsewhere = t;
    elsewhere.peerId = u"someone else"_s;
    model.updateTransfer(elsewhere);
    TransferInfo ours = t;
    ours.outgoing = true;
    model.updateTransfer(ours);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(file.data(ConversationModel::TransferRole).value<TransferInfo>().outgoing, false);
}

void tst_Files::downloadFolderAndAlwaysAcceptKept()
{
    // Settings shows the system's Downloads until another folder is chosen; it is kept.
    ProfileSettings original;
    SettingsDialog dialog(original);
    QCOMPARE(QDir::fromNativeSeparators(dialog.downloadDirEdit()->text()),
             original.effectiveDownloadDir());
    QCOMPARE(dialog.settings().downloadDir, QString());
    dialog.downloadDirEdit()->setText(QDir::toNativeSeparators(m_dir.filePath(u"inbox"_s)));
    ProfileSettings edited = dialog.settings();
    QCOMPARE(edited.downloadDir, m_dir.filePath(u"inbox"_s));
    QVERIFY(!(edited == original));

    // "Always accept files from this peer" in the peer list's menu, kept with the settings.
    openWindow();
    QSignalSpy saved(m_window.get(), &MainWindow::settingsChanged);
    auto choose = [this] {
        QTimer::singleShot(0, this, [] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            QVERIFY(menu);
            QAction *always = menu->actions().value(0);
            QCOMPARE(MainWindow::withoutMnemonic(always->text()),
                     u"Always accept files from this peer"_s);
            menu->setActiveAction(always);
            QTest::keyClick(menu, Qt::Key_Return);
        });
        PeerListView *peers = m_window->peerList();
        const QRect row = peers->visualRect(peers->model()->index(0, 0));
        Q_EMIT peers->customContextMenuRequested(row.center());
    };
    choose();
    QTRY_COMPARE(saved.size(), 1);
    edited = saved.at(0).at(0).value<ProfileSettings>();
    QCOMPARE(edited.acceptFilesFrom, QStringList{m_bob->id()});
    edited.downloadDir = m_dir.filePath(u"inbox"_s);
    QString error;
    QVERIFY2(edited.save(m_dir.path(), &error), qPrintable(error));
    const ProfileSettings loaded = ProfileSettings::load(m_dir.path());
    QCOMPARE(loaded.acceptFilesFrom, QStringList{m_bob->id()});
    QCOMPARE(loaded.downloadDir, m_dir.filePath(u"inbox"_s));
    QCOMPARE(loaded.effectiveDownloadDir(), m_dir.filePath(u"inbox"_s));
    // Chosen again: off.
    choose();
    QTRY_COMPARE(saved.size(), 2);
    QCOMPARE(saved.at(1).at(0).value<ProfileSettings>().acceptFilesFrom, QStringList());
}

void tst_Files::offerNotifiedWhileAway()
{
    openWindow();
    QSignalSpy notified(m_window->notifier(), &Notifier::notified);
    TransferInfo offer = transfer(TransferState::Offered, false);
    offer.peerId = m_bob->id();
    // In front of the person: the conversation shows it, no notification.
    Q_EMIT m_alice->transferOffered(offer);
    // Away: notified like a message, with what is offered.
    m_window->hide();
    offer.id = QUuid::createUuid();
    Q_EMIT m_alice->transferOffered(offer);
    QTRY_COMPARE(notified.size(), 1);
    QCOMPARE(notified.at(0).at(0).toString(), m_bob->id());
    QCOMPARE(notified.at(0).at(1).toString(), u"Bob"_s);
    QCOMPARE(notified.at(0).at(2).toString(), u"Offers holiday.mp4 (4.0 MiB)"_s);
    offer.folder = true;
    offer.name = u"Holiday"_s;
    QCOMPARE(Notifier::offerBodyFor(offer), u"Offers the folder Holiday (4.0 MiB)"_s);
}

void tst_Files::itemGrowsWhenItStarts()
{
    // Accepted, it gets a progress bar: the rows below move down rather than being overlapped.
    TransferInfo t = transfer(TransferState::Offered, false);
    QStandardItemModel model;
    for (int i = 0; i < 2; ++i) {
        auto *item = new QStandardItem;
        item->setData(i == 0 ? t.id : QUuid::createUuid(), ConversationModel::IdRole);
        item->setData(t.name, ConversationModel::TextRole);
        item->setData(false, ConversationModel::OutgoingRole);
        item->setData(int(MessageKind::File), ConversationModel::KindRole);
        item->setData(QVariant::fromValue(t), ConversationModel::TransferRole);
        model.appendRow(item);
    }
    QListView view;
    auto *delegate = new MessageDelegate(&view);
    view.setItemDelegate(delegate);
    view.setModel(&model);
    view.resize(700, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const int before = view.visualRect(model.index(0, 0)).height();
    t.state = TransferState::Running;
    t.bytesDone = MiB;
    model.setData(model.index(0, 0), QVariant::fromValue(t), ConversationModel::TransferRole);
    QTRY_VERIFY(view.visualRect(model.index(0, 0)).height() > before);
    QVERIFY(delegate->bubbleRect(model.index(0, 0)).bottom()
            < delegate->bubbleRect(model.index(1, 0)).top());
}

QTEST_MAIN(tst_Files)
#include "tst_files.moc"
