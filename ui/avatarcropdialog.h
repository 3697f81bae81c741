// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QImage>
#include <QWidget>

class QLabel;

// Avatars (issue 15): the square of the picture to use. The picture is shown fitted in the
// dialog with a square over it: drag inside the square to move it, drag its corner (or turn
// the wheel) to resize it; the preview shows the result as peers will see it.
class AvatarCropArea final : public QWidget
{
    Q_OBJECT

public:
    explicit AvatarCropArea(const QImage &image, QWidget *parent = nullptr);

    // The square in the picture's pixels.
    QRect crop() const { return m_crop; }
    void setCrop(const QRect &crop);
    QSize sizeHint() const override;

Q_SIGNALS:
    void cropChanged(const QRect &crop);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    QRectF shown() const;    // where the picture is drawn in the widget
    QRectF onScreen() const; // m_crop in widget coordinates
    QRectF handle() const;   // the resize corner
    qreal scale() const;     // widget pixels per picture pixel

    QImage m_image;
    QRect m_crop;
    enum class Drag { None, Move, Resize } m_drag = Drag::None;
    QPointF m_pressedAt;
    QRect m_cropAtPress;
};

class AvatarCropDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit AvatarCropDialog(const QImage &image, QWidget *parent = nullptr);

    QRect crop() const;
    AvatarCropArea *area() const { return m_area; }
    QLabel *preview() const { return m_preview; }

private:
    void updatePreview();

    QImage m_image;
    AvatarCropArea *m_area;
    QLabel *m_preview;
};
