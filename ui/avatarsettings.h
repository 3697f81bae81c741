// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class Messenger;
class QLabel;
class QPushButton;

// Avatars (issue 15): the Settings row for one's own picture. "Picture…" picks a file and the
// square of it to use (AvatarCropDialog); "Remove picture" goes back to the generated one.
// Both apply at once, like the name.
class AvatarSettings final : public QWidget
{
    Q_OBJECT

public:
    AvatarSettings(Messenger &messenger, const QString &name, QWidget *parent = nullptr);

    QLabel *preview() const { return m_preview; }
    QPushButton *chooseButton() const { return m_choose; }
    QPushButton *removeButton() const { return m_remove; }
    // What "Picture…" does after its dialogs: use `crop` of `image`. False (and a message
    // shown) when it could not be used.
    bool usePicture(const QImage &image, const QRect &crop);

private:
    void choose();
    void refresh();

    Messenger &m_messenger;
    QString m_name;
    QLabel *m_preview;
    QPushButton *m_choose;
    QPushButton *m_remove;
};
