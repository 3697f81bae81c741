// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A shoal-cli process driven through its JSON-lines interface, for tests.
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

using namespace Qt::StringLiterals;

// shoal-cli on 127.0.0.1, a port the system picks, discovery off: it meets only the peers a
// test introduces to it.
inline QStringList isolatedCliArguments(const QString &profile, const QString &name)
{
    return {u"--profile"_s,
            profile,
            u"--name"_s,
            name,
            u"--listen"_s,
            u"127.0.0.1"_s,
            u"--port"_s,
            u"0"_s,
            u"--no-discovery"_s};
}

class CliProcess
{
public:
    CliProcess(const QString &program, const QStringList &arguments)
    {
        process.setProgram(program);
        process.setArguments(arguments);
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            while (process.canReadLine()) {
                const QByteArray line = process.readLine();
                QJsonParseError error;
                const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
                if (error.error != QJsonParseError::NoError || !doc.isObject()) {
                    badLines.append(line);
                    continue;
                }
                events.append(doc.object());
                arrivedMs.append(now());
            }
        });
        process.start();
    }
    ~CliProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished();
        }
    }

    void send(const QJsonObject &command)
    {
        process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    }
    // The first event matching `pred`, or an empty object.
    template<typename Pred>
    QJsonObject find(Pred pred) const
    {
        for (const QJsonObject &e : events) {
            if (pred(e))
                return e;
        }
        return {};
    }
    QJsonObject event(const QString &name) const
    {
        return find([&](const QJsonObject &e) { return e.value(u"event"_s).toString() == name; });
    }
    QList<QJsonObject> all(const QString &name) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &e : events) {
            if (e.value(u"event"_s).toString() == name)
                out.append(e);
        }
        return out;
    }
    bool peerOnline(const QString &id, bool online) const
    {
        const auto peers = all(u"peer"_s);
        for (auto it = peers.crbegin(); it != peers.crend(); ++it) {
            if (it->value(u"id"_s).toString() == id)
                return it->value(u"online"_s).toBool() == online;
        }
        return false;
    }
    // A monotonic clock in ms, shared by every process of a test.
    static qint64 now()
    {
        QElapsedTimer t;
        t.start();
        return t.msecsSinceReference();
    }
    // When the first event matching `pred` was read, or -1.
    template<typename Pred>
    qint64 arrivalOf(Pred pred) const
    {
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (pred(events.at(i)))
                return arrivedMs.at(i);
        }
        return -1;
    }
    QString id() const { return event(u"ready"_s).value(u"id"_s).toString(); }
    int port() const { return event(u"ready"_s).value(u"port"_s).toInt(); }

    QProcess process;
    QList<QJsonObject> events;
    QList<qint64> arrivedMs; // when each event was read, on now()'s clock
    QList<QByteArray> badLines;
};
