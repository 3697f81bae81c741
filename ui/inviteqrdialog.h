// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QImage>

class QLabel;
class QPlainTextEdit;
class QPushButton;

// "Show invite QR code…": this profile's invite link as a QR code a phone or another screen
// can read, and as text under it with a Copy button.
class InviteQrDialog final : public QDialog
{
    Q_OBJECT

public:
    InviteQrDialog(const QString &link, QWidget *parent = nullptr);

    QString link() const { return m_link; }
    // One pixel per module, with the quiet zone: what is shown, before scaling.
    QImage code() const { return m_code; }
    QPushButton *copyButton() const { return m_copy; }
    QLabel *imageLabel() const { return m_image; }

    // The QR code of `text` (byte mode, error correction M), one pixel per module with a
    // four-module quiet zone; null if it cannot be encoded.
    static QImage encode(const QString &text);

private:
    QString m_link;
    QImage m_code;
    QLabel *m_image;
    QPlainTextEdit *m_text;
    QPushButton *m_copy;
};
