// SPDX-License-Identifier: GPL-3.0-or-later
#include "avatarcropdialog.h"

#include "avatarpainter.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

namespace {
constexpr int HandleSize = 14;
constexpr int MinSide = 16; // picture pixels
} // namespace

AvatarCropArea::AvatarCropArea(const QImage &image, QWidget *parent)
    : QWidget(parent)
    , m_image(image)
{
    const int side = qMin(image.width(), image.height());
    m_crop = QRect((image.width() - side) / 2, (image.height() - side) / 2, side, side);
    setMouseTracking(true);
    setMinimumSize(160, 160);
    setAccessibleName(tr("Part of the picture to use"));
}

QSize AvatarCropArea::sizeHint() const
{
    return m_image.size().scaled(420, 420, Qt::KeepAspectRatio).expandedTo(QSize(160, 160));
}

void AvatarCropArea::setCrop(const QRect &crop)
{
    QRect c = crop;
    const int maxSide = qMin(m_image.width(), m_image.height());
    const int side = qBound(qMin(MinSide, maxSide), qMin(c.width(), c.height()), maxSide);
    c.setSize(QSize(side, side));
    c.moveLeft(qBound(0, c.left(), m_image.width() - side));
    c.moveTop(qBound(0, c.top(), m_image.height() - side));
    if (c == m_crop)
        return;
    m_crop = c;
    update();
    Q_EMIT cropChanged(m_crop);
}

qreal AvatarCropArea::scale() const
{
    if (m_image.isNull())
        return 1;
    return qMin(qreal(width()) / m_image.width(), qreal(height()) / m_image.height());
}

QRectF AvatarCropArea::shown() const
{
    const QSizeF size = QSizeF(m_image.size()) * scale();
    return QRectF(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2), size);
}

QRectF AvatarCropArea::onScreen() const
{
    const QRectF s = shown();
    return QRectF(s.topLeft() + QPointF(m_crop.topLeft()) * scale(),
                  QSizeF(m_crop.size()) * scale());
}

QRectF AvatarCropArea::handle() const
{
    const QRectF c = onScreen();
    return QRectF(c.bottomRight() - QPointF(HandleSize, HandleSize), QSizeF(HandleSize, HandleSize));
}

void AvatarCropArea::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.setRenderHint(QPainter::Antialiasing);
    p.drawImage(shown(), m_image);
    // Outside the square dimmed; the circle peers will see outlined.
    const QRectF c = onScreen();
    QPainterPath outside;
    outside.addRect(shown());
    QPainterPath square;
    square.addRect(c);
    p.fillPath(outside.subtracted(square), QColor(0, 0, 0, 140));
    p.setPen(QPen(Qt::white, 1.5));
    p.setBrush(Qt::NoBrush);
    p.drawRect(c);
    p.setPen(QPen(Qt::white, 1, Qt::DashLine));
    p.drawEllipse(c);
    p.setPen(Qt::NoPen);
    p.setBrush(Qt::white);
    p.drawRect(handle());
}

void AvatarCropArea::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_pressedAt = event->position();
    m_cropAtPress = m_crop;
    if (handle().contains(m_pressedAt))
        m_drag = Drag::Resize;
    else if (onScreen().contains(m_pressedAt))
        m_drag = Drag::Move;
}

void AvatarCropArea::mouseMoveEvent(QMouseEvent *event)
{
    if (m_drag == Drag::None) {
        setCursor(handle().contains(event->position())     ? Qt::SizeFDiagCursor
                  : onScreen().contains(event->position()) ? Qt::SizeAllCursor
                                                           : Qt::ArrowCursor);
        return;
    }
    const QPointF delta = (event->position() - m_pressedAt) / scale();
    if (m_drag == Drag::Move) {
        setCrop(m_cropAtPress.translated(delta.toPoint()));
    } else {
        const int grow = int(qMax(delta.x(), delta.y()));
        QRect c = m_cropAtPress;
        const int side = c.width() + grow;
        // Growing past the picture's edge is stopped there, not moved.
        const int room = qMin(m_image.width() - c.left(), m_image.height() - c.top());
        c.setSize(QSize(qMin(side, room), qMin(side, room)));
        setCrop(c);
    }
}

void AvatarCropArea::mouseReleaseEvent(QMouseEvent *)
{
    m_drag = Drag::None;
}

void AvatarCropArea::wheelEvent(QWheelEvent *event)
{
    // Resized about its centre: a notch is a tenth.
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0)
        return;
    const int side = qMax(MinSide, int(m_crop.width() * (1.0 - 0.1 * steps)));
    QRect c(0, 0, side, side);
    c.moveCenter(m_crop.center());
    setCrop(c);
}

void AvatarCropArea::resizeEvent(QResizeEvent *)
{
    update();
}

AvatarCropDialog::AvatarCropDialog(const QImage &image, QWidget *parent)
    : QDialog(parent)
    , m_image(image)
    , m_area(new AvatarCropArea(image, this))
    , m_preview(new QLabel(this))
{
    setWindowTitle(tr("Choose the part of the picture"));
    auto *hint = new QLabel(
        tr("Drag the square to move it; drag its corner or turn the wheel to resize it."), this);
    hint->setWordWrap(true);
    m_preview->setFixedSize(96, 96);
    m_preview->setAccessibleName(tr("Preview"));
    auto *previewColumn = new QVBoxLayout;
    previewColumn->addWidget(new QLabel(tr("Preview:"), this));
    previewColumn->addWidget(m_preview);
    previewColumn->addStretch(1);
    auto *row = new QHBoxLayout;
    row->addWidget(m_area, 1);
    row->addLayout(previewColumn);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(hint);
    layout->addLayout(row, 1);
    layout->addWidget(buttons);
    connect(m_area, &AvatarCropArea::cropChanged, this, &AvatarCropDialog::updatePreview);
    updatePreview();
}

QRect AvatarCropDialog::crop() const
{
    return m_area->crop();
}

void AvatarCropDialog::updatePreview()
{
    const QImage cut = m_image.copy(m_area->crop());
    m_preview->setPixmap(
        AvatarPainter::pixmap(m_preview->width(), devicePixelRatioF(), cut, {}, {}));
}
