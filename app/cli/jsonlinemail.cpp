// SPDX-License-Identifier: GPL-3.0-or-later
// shoal-cli's e-mail notices (issue 16; docs/relay.md, "E-mail notices"):
//   {"cmd":"contact","peer":PEER_ID,"email":ADDR} ("" removes; without "email": as it is)
//     -> {"event":"contact","peer":PEER_ID,"email":ADDR}
//   {"cmd":"mail","enabled":B,"host":H,"port":N,"security":"none"|"starttls"|"tls","user":U,
//    "from":ADDR,"wait_seconds":N,"include_text":B,"password":P} (each optional: what is not
//    given stays) -> {"event":"mail",...the settings, never the password...}; with "password",
//    then {"event":"mail-password","ok":B,"error":TEXT} once the keyring has answered
//   events: {"event":"mail-sent","peer":PEER_ID,"count":N},
//           {"event":"mail-failed","peer":PEER_ID,"error":TEXT}
#include "jsonlinesession.h"

#include "messenger/messenger.h"

using namespace Qt::StringLiterals;

namespace {

QJsonObject mailSettingsJson(const MailSettings &s)
{
    return {{u"enabled"_s, s.enabled},
            {u"host"_s, s.host},
            {u"port"_s, int(s.port)},
            {u"security"_s, MailSettings::securityName(s.security)},
            {u"user"_s, s.user},
            {u"from"_s, s.fromAddress},
            {u"wait_seconds"_s, s.waitSeconds},
            {u"include_text"_s, s.includeText}};
}

} // namespace

void JsonLineSession::wireMail()
{
    connect(&m_messenger, &Messenger::mailNoticeSent, this, [this](const QString &peerId, int count) {
        emitEvent({{u"event"_s, u"mail-sent"_s}, {u"peer"_s, peerId}, {u"count"_s, count}});
    });
    connect(
        &m_messenger,
        &Messenger::mailNoticeFailed,
        this,
        [this](const QString &peerId, const QString &error) {
            emitEvent({{u"event"_s, u"mail-failed"_s}, {u"peer"_s, peerId}, {u"error"_s, error}});
        });
    connect(&m_messenger, &Messenger::mailPasswordSaved, this, [this](bool ok, const QString &error) {
        QJsonObject e{{u"event"_s, u"mail-password"_s}, {u"ok"_s, ok}};
        if (!ok)
            e.insert(u"error"_s, error);
        emitEvent(e, m_passwordRefs.isEmpty() ? QJsonValue() : m_passwordRefs.takeFirst());
    });
}

void JsonLineSession::handleMailCommand(const QString &cmd, const QJsonObject &command)
{
    const QJsonValue ref = command.value(u"ref"_s);
    QString error;
    if (cmd == u"contact"_s) {
        const QJsonValue peer = command.value(u"peer"_s);
        const QJsonValue email = command.value(u"email"_s);
        if (!peer.isString() || !(email.isString() || email.isNull() || email.isUndefined()))
            return emitError(u"contact needs \"peer\": PEER_ID and optional \"email\": ADDRESS "
                             u"(\"\" or null removes it)"_s,
                             ref);
        if (!email.isUndefined()
            && !m_messenger.setContactEmail(peer.toString(), email.toString(), &error))
            return emitError(error, ref);
        emitEvent({{u"event"_s, u"contact"_s},
                   {u"peer"_s, peer},
                   {u"email"_s, m_messenger.contactEmail(peer.toString())}},
                  ref);
        return;
    }

    // mail: every field optional; the others stay as they are.
    MailSettings s = m_messenger.mailSettings();
    const auto usage = [&] {
        emitError(u"mail takes \"enabled\": true|false, \"host\": HOST, \"port\": 1-65535, "
                  u"\"security\": \"none\"|\"starttls\"|\"tls\", \"user\": USER, \"from\": "
                  u"ADDRESS, \"wait_seconds\": N, \"include_text\": true|false, \"password\": "
                  u"PASSWORD"_s,
                  ref);
    };
    const auto text = [&](const QString &key, QString *out) {
        const QJsonValue v = command.value(key);
        if (v.isUndefined())
            return true;
        if (!v.isString())
            return false;
        *out = v.toString();
        return true;
    };
    const auto flag = [&](const QString &key, bool *out) {
        const QJsonValue v = command.value(key);
        if (v.isUndefined())
            return true;
        if (!v.isBool())
            return false;
        *out = v.toBool();
        return true;
    };
    QString security = MailSettings::securityName(s.security);
    const QJsonValue port = command.value(u"port"_s);
    const QJsonValue wait = command.value(u"wait_seconds"_s);
    const QJsonValue password = command.value(u"password"_s);
    if (!flag(u"enabled"_s, &s.enabled) || !text(u"host"_s, &s.host) || !text(u"user"_s, &s.user)
        || !text(u"from"_s, &s.fromAddress) || !text(u"security"_s, &security)
        || !flag(u"include_text"_s, &s.includeText)
        || !MailSettings::securityFromName(security, &s.security)
        || !(port.isUndefined() || (port.isDouble() && port.toInt() >= 1 && port.toInt() <= 65535))
        // Bounded before it becomes an integer (a huge double is undefined behaviour there);
        // MailSettings::validate says what the range is.
        || !(wait.isUndefined()
             || (wait.isDouble() && wait.toDouble() >= 1 && wait.toDouble() <= 1e12))
        || !(password.isUndefined() || password.isString()))
        return usage();
    if (port.isDouble())
        s.port = quint16(port.toInt());
    if (wait.isDouble())
        s.waitSeconds = qint64(wait.toDouble());
    if (!m_messenger.setMailSettings(s, &error))
        return emitError(error, ref);
    QJsonObject e = mailSettingsJson(m_messenger.mailSettings());
    e.insert(u"event"_s, u"mail"_s);
    emitEvent(e, ref);
    if (password.isString()) {
        m_passwordRefs.append(ref);
        m_messenger.setMailPassword(password.toString());
    }
}
