// SPDX-License-Identifier: GPL-3.0-or-later
#include "mailmessage.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace {

// A header's text without what could end or fold the line.
QString mailSingleLine(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u == 0x7f || u == 0x2028 || u == 0x2029 || (u >= 0x80 && u < 0xa0))
            out.append(u' ');
        else
            out.append(c);
    }
    return out.simplified();
}

bool isMailAtext(char16_t c)
{
    if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9'))
        return true;
    return QStringView(u"!#$%&'*+-/=?^_`{|}~").contains(QChar(c));
}

bool isPrintableAsciiPhrase(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

} // namespace

bool MailMessage::isValidAddress(const QString &address)
{
    if (address.size() > 254)
        return false;
    const qsizetype at = address.lastIndexOf(u'@');
    if (at <= 0 || at > 64 || at == address.size() - 1)
        return false;
    const QStringView local = QStringView(address).left(at);
    const QStringView domain = QStringView(address).mid(at + 1);
    bool lastDot = true; // no leading dot
    for (const QChar c : local) {
        if (c == u'.') {
            if (lastDot)
                return false;
            lastDot = true;
        } else if (isMailAtext(c.unicode())) {
            lastDot = false;
        } else {
            return false;
        }
    }
    if (lastDot)
        return false; // trailing dot
    const auto labels = domain.split(u'.');
    if (labels.size() < 2 && domain != u"localhost"_s)
        return false;
    for (const QStringView label : labels) {
        if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-'))
            return false;
        for (const QChar c : label) {
            const char16_t u = c.unicode();
            if (!((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
                  || u == u'-'))
                return false;
        }
    }
    return true;
}

QByteArray MailMessage::encodeWords(const QString &text)
{
    // "=?UTF-8?B?" + base64 + "?=" within 75 characters: 63 characters of base64, so at most 45
    // bytes of UTF-8 per word (a multiple of 3), never splitting a character.
    constexpr qsizetype MaxBytes = 45;
    QByteArray out;
    QByteArray chunk;
    const auto flush = [&] {
        if (chunk.isEmpty())
            return;
        if (!out.isEmpty())
            out += "\r\n ";
        out += "=?UTF-8?B?" + chunk.toBase64() + "?=";
        chunk.clear();
    };
    const QString clean = mailSingleLine(text);
    for (qsizetype i = 0; i < clean.size();) {
        const qsizetype n = clean.at(i).isHighSurrogate() && i + 1 < clean.size() ? 2 : 1;
        const QByteArray bytes = clean.mid(i, n).toUtf8();
        if (chunk.size() + bytes.size() > MaxBytes)
            flush();
        chunk += bytes;
        i += n;
    }
    flush();
    if (out.isEmpty())
        out = "=?UTF-8?B?"
              "?="; // empty (split: "??=" would be a trigraph)
    return out;
}

QByteArray MailMessage::encodePhrase(const QString &text)
{
    const QString clean = mailSingleLine(text);
    if (!isPrintableAsciiPhrase(clean))
        return encodeWords(clean);
    QByteArray out = "\"";
    for (const QChar c : clean) {
        if (c == u'"' || c == u'\\')
            out += '\\';
        out += char(c.unicode());
    }
    return out + '"';
}

QByteArray MailMessage::formatDate(const QDateTime &date)
{
    static constexpr const char *Days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr const char *Months[]
        = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const QDateTime t = date.isValid() ? date : QDateTime::currentDateTime();
    const int offset = t.offsetFromUtc();
    const int minutes = qAbs(offset) / 60;
    const QDate d = t.date();
    const QTime tm = t.time();
    return QByteArray(Days[d.dayOfWeek() - 1]) + ", "
           + QByteArray::number(d.day()).rightJustified(2, '0') + ' ' + Months[d.month() - 1] + ' '
           + QByteArray::number(d.year()) + ' ' + tm.toString(u"HH:mm:ss"_s).toLatin1() + ' '
           + (offset < 0 ? '-' : '+') + QByteArray::number(minutes / 60).rightJustified(2, '0')
           + QByteArray::number(minutes % 60).rightJustified(2, '0');
}

QByteArray MailMessage::build(QString *error) const
{
    if (!isValidAddress(fromAddress) || !isValidAddress(toAddress)) {
        if (error) {
            *error = QCoreApplication::translate("MailMessage", "Not an e-mail address: %1")
                         .arg(isValidAddress(fromAddress) ? toAddress : fromAddress);
        }
        return {};
    }
    const QByteArray domain = fromAddress.mid(fromAddress.lastIndexOf(u'@') + 1).toLatin1();
    const QUuid messageId = id.isNull() ? QUuid::createUuid() : id;
    QByteArray out;
    out += "Date: " + formatDate(date) + "\r\n";
    out += "From: ";
    if (!mailSingleLine(fromName).isEmpty())
        out += encodePhrase(fromName) + ' ';
    out += '<' + fromAddress.toLatin1() + ">\r\n";
    out += "To: <" + toAddress.toLatin1() + ">\r\n";
    out += "Subject: " + encodeWords(subject) + "\r\n";
    out += "Message-ID: <" + messageId.toString(QUuid::WithoutBraces).toLatin1() + '@' + domain
           + ">\r\n";
    // RFC 3834: made by a program; no auto-reply should answer it.
    out += "Auto-Submitted: auto-generated\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: base64\r\n";
    out += "\r\n";
    QString text = body;
    text.replace(u"\r\n"_s, u"\n"_s);
    text.replace(u'\r', u'\n');
    text.replace(u"\n"_s, u"\r\n"_s);
    const QByteArray encoded = text.toUtf8().toBase64();
    for (qsizetype i = 0; i < encoded.size(); i += 76)
        out += encoded.mid(i, 76) + "\r\n";
    return out;
}
