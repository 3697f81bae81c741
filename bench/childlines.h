// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// How a bench child process talks to the bench: lines on stdout, lines from stdin.
#include <QByteArray>
#include <QCoreApplication>
#include <QObject>
#include <QSocketNotifier>

#include <cstdio>
#include <functional>
#include <memory>

#include <unistd.h>

inline void say(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

// Lines from the bench on stdin; the child quits when the bench closes it.
inline void onStdinLines(QObject *context, std::function<void(const QByteArray &)> handle)
{
    auto *notifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, context);
    auto buffer = std::make_shared<QByteArray>();
    QObject::connect(notifier, &QSocketNotifier::activated, context, [=] {
        char chunk[65536];
        const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n <= 0) {
            notifier->setEnabled(false);
            QCoreApplication::quit();
            return;
        }
        buffer->append(chunk, n);
        qsizetype end;
        while ((end = buffer->indexOf('\n')) >= 0) {
            const QByteArray line = buffer->left(end).trimmed();
            buffer->remove(0, end + 1);
            if (!line.isEmpty())
                handle(line);
        }
    });
}
