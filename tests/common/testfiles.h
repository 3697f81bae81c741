// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Real files for the files tests: random content, written whole (or the test stops), read back.
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QString>

inline QByteArray randomBytes(qsizetype size)
{
    QByteArray data(size, '\0');
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(data.data()),
                                          size / qsizetype(sizeof(quint32)));
    for (qsizetype i = size / qsizetype(sizeof(quint32)) * qsizetype(sizeof(quint32)); i < size; ++i)
        data[i] = char(QRandomGenerator::global()->bounded(256));
    return data;
}

// Creates the folders on the way; a file that cannot be written ends the test run.
inline void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size())
        qFatal("cannot write %s", qPrintable(path));
}

inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(unreadable)");
}
