// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QUuid>

// One plain-text e-mail, built into its RFC 5322 bytes (issue 16's notices). Nothing a peer or
// a person typed can reach a header line raw: names lose their control characters and travel
// as quoted strings or RFC 2047 encoded words, addresses are checked (isValidAddress) and the
// subject is always an encoded word; the body is UTF-8 in base64, so no line of it can end the
// message early or grow past SMTP's limits.
struct MailMessage
{
    QString fromName;
    QString fromAddress;
    QString toAddress;
    QString subject;
    QString body; // "\n" between lines
    QDateTime date;
    QUuid id; // Message-ID: <id@the From address's domain>

    // The bytes to hand to SMTP (CRLF line ends), or empty with *error when an address is not
    // valid.
    QByteArray build(QString *error = nullptr) const;

    // local@domain, ASCII: a dot-atom local part (at most 64 characters), a host name of
    // letters, digits and hyphens in dot-separated labels, at most 254 characters in all.
    // Quoted local parts, address literals and non-ASCII (SMTPUTF8) are refused: a notice goes
    // to an ordinary address, and anything odd is a mistake or an attack on the headers.
    static bool isValidAddress(const QString &address);
    // A name for a header: control characters and line breaks out, then a quoted string
    // (ASCII) or an RFC 2047 encoded word (otherwise).
    static QByteArray encodePhrase(const QString &text);
    // RFC 2047 "B" encoded words of UTF-8, each at most 75 characters, split between
    // characters, folded onto continuation lines (CRLF SP) after the first.
    static QByteArray encodeWords(const QString &text);
    // RFC 5322 date-time in English whatever the locale: "Sun, 06 Dec 2026 01:49:35 +0000".
    static QByteArray formatDate(const QDateTime &date);
};
