// SPDX-License-Identifier: GPL-3.0-or-later
#include "safename.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace {

constexpr char32_t LoneSurrogate = 0xFFFFFFFF;

// The code point at i, advancing i; LoneSurrogate for half a pair.
char32_t nextCodePoint(QStringView s, qsizetype &i)
{
    const QChar c = s[i++];
    if (c.isHighSurrogate()) {
        if (i < s.size() && s[i].isLowSurrogate())
            return QChar::surrogateToUcs4(c, s[i++]);
        return LoneSurrogate;
    }
    return c.isLowSurrogate() ? LoneSurrogate : c.unicode();
}

int utf8Bytes(char32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 || cp == LoneSurrogate ? 3 : 4;
}

qsizetype utf8Length(QStringView s)
{
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < s.size();)
        bytes += utf8Bytes(nextCodePoint(s, i));
    return bytes;
}

// C0, DEL, C1, and the line and paragraph separators: a name with one can break a line in
// a log, a terminal or a list.
bool isControl(char32_t cp)
{
    const auto category = QChar::category(cp);
    return category == QChar::Other_Control || category == QChar::Separator_Line
           || category == QChar::Separator_Paragraph;
}

// Direction marks and overrides: "photo\u202Egpj.exe" shows as "photoexe.jpg". Joiners (emoji
// sequences need U+200D) stay allowed.
bool isBidiControl(char32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E)
           || (cp >= 0x2066 && cp <= 0x2069);
}

// Refused in names by Windows; ':' also makes drive letters and NTFS alternate data streams.
bool isWindowsForbidden(char32_t cp)
{
    return cp == u':' || cp == u'*' || cp == u'?' || cp == u'"' || cp == u'<' || cp == u'>'
           || cp == u'|';
}

// Windows opens a device for these, whatever follows the first dot, in any case, and with
// trailing spaces before the dot ("con .txt").
bool isReservedOnWindows(const QString &name)
{
    QStringView base = QStringView(name).left(name.indexOf(u'.') < 0 ? name.size()
                                                                     : name.indexOf(u'.'));
    while (base.endsWith(u' '))
        base.chop(1);
    static const QStringList reserved = [] {
        QStringList r{u"CON"_s, u"PRN"_s, u"AUX"_s, u"NUL"_s, u"CONIN$"_s, u"CONOUT$"_s};
        for (const QString &port : {u"COM"_s, u"LPT"_s}) {
            for (char digit = '0'; digit <= '9'; ++digit)
                r << port + QChar::fromLatin1(digit);
            // Windows counts the superscript digits as digits here.
            for (const char16_t superscript : {u'\u00B9', u'\u00B2', u'\u00B3'})
                r << port + QChar(superscript);
        }
        return r;
    }();
    for (const QString &r : reserved) {
        if (base.compare(r, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// A hostile name quoted in a message: no control or direction characters, and not too long.
QString shown(QStringView s)
{
    constexpr qsizetype MaxShown = 60;
    QString out;
    for (qsizetype i = 0; i < s.size();) {
        if (out.size() >= MaxShown) {
            out += u'\u2026';
            break;
        }
        const char32_t cp = nextCodePoint(s, i);
        if (cp == LoneSurrogate || isControl(cp) || isBidiControl(cp))
            out += QChar(QChar::ReplacementCharacter);
        else
            out += QString::fromUcs4(&cp, 1);
    }
    return out;
}

} // namespace

bool SafeName::isValidName(const QString &name, QString *error)
{
    if (name.isEmpty()) {
        *error = tr("The offer contains an empty name.");
        return false;
    }
    if (name == u"."_s || name == u".."_s) {
        *error = tr("The offer contains \"%1\" as a name, which would point outside the files "
                    "offered.")
                     .arg(name);
        return false;
    }
    for (qsizetype i = 0; i < name.size();) {
        const char32_t cp = nextCodePoint(name, i);
        if (cp == 0) {
            *error = tr("The offered name \"%1\" contains a NUL character.").arg(shown(name));
            return false;
        }
        if (cp == LoneSurrogate) {
            *error = tr("The offered name \"%1\" is not valid Unicode.").arg(shown(name));
            return false;
        }
        if (isControl(cp)) {
            *error = tr("The offered name \"%1\" contains a control character.").arg(shown(name));
            return false;
        }
        if (isBidiControl(cp)) {
            *error = tr("The offered name \"%1\" contains an invisible direction mark, which can "
                        "disguise what kind of file it is.")
                         .arg(shown(name));
            return false;
        }
        if (cp == u'/') {
            *error = tr("The offered name \"%1\" contains a slash.").arg(shown(name));
            return false;
        }
        if (cp == u'\\') {
            *error = tr("The offered name \"%1\" contains a backslash, which Windows reads as a "
                        "folder separator.")
                         .arg(shown(name));
            return false;
        }
        if (isWindowsForbidden(cp)) {
            *error = tr("The offered name \"%1\" contains \"%2\", which Windows does not allow in "
                        "names.")
                         .arg(shown(name), QString::fromUcs4(&cp, 1));
            return false;
        }
    }
    if (name.endsWith(u'.') || name.endsWith(u' ')) {
        *error = tr("The offered name \"%1\" ends with a dot or a space, which Windows drops, "
                    "making it another name.")
                     .arg(shown(name));
        return false;
    }
    if (isReservedOnWindows(name)) {
        *error = tr("The offered name \"%1\" is reserved for a device on Windows.").arg(shown(name));
        return false;
    }
    if (utf8Length(name) > MaxComponentBytes) {
        *error = tr("The offered name \"%1\" is longer than %2 bytes.")
                     .arg(shown(name))
                     .arg(MaxComponentBytes);
        return false;
    }
    return true;
}

std::optional<QStringList> SafeName::components(const QString &offeredPath, QString *error)
{
    if (offeredPath.isEmpty()) {
        *error = tr("The offer contains an empty name.");
        return std::nullopt;
    }
    // Each UTF-16 unit is at least one UTF-8 byte: the size bounds the work before any scan.
    if (offeredPath.size() > MaxPathBytes || utf8Length(offeredPath) > MaxPathBytes) {
        *error = tr("The offered path \"%1\" is longer than %2 bytes.")
                     .arg(shown(offeredPath))
                     .arg(MaxPathBytes);
        return std::nullopt;
    }
    const bool driveLetter = offeredPath.size() >= 2 && offeredPath[1] == u':'
                             && offeredPath[0].unicode() < 0x80 && offeredPath[0].isLetter();
    if (offeredPath.startsWith(u'/') || offeredPath.startsWith(u'\\') || driveLetter) {
        *error = tr("The offered path \"%1\" is absolute; a peer may offer only names inside the "
                    "files it sends.")
                     .arg(shown(offeredPath));
        return std::nullopt;
    }
    const QStringList parts = offeredPath.split(u'/');
    if (parts.size() > MaxDepth) {
        *error = tr("The offered path \"%1\" is nested more than %2 folders deep.")
                     .arg(shown(offeredPath))
                     .arg(MaxDepth);
        return std::nullopt;
    }
    for (const QString &part : parts) {
        if (part.isEmpty()) {
            *error = tr("The offered path \"%1\" contains an empty folder name.")
                         .arg(shown(offeredPath));
            return std::nullopt;
        }
        if (!isValidName(part, error))
            return std::nullopt;
    }
    return parts;
}

QString SafeName::numbered(const QString &name, int n, Kind kind)
{
    QString stem = name;
    QString extension;
    if (kind == Kind::File) {
        // An extension is a short word after the last dot ("Mr. Smith" has none), and ".tar"
        // before it belongs to it. A leading dot is a hidden file, not an extension.
        constexpr qsizetype MaxExtension = 16;
        const auto splitAt = [&](qsizetype end) -> qsizetype {
            const qsizetype dot = name.lastIndexOf(u'.', end - 1);
            if (dot <= 0 || end - dot - 1 < 1 || end - dot - 1 > MaxExtension
                || QStringView(name).sliced(dot, end - dot).contains(u' '))
                return -1;
            return dot;
        };
        qsizetype dot = splitAt(name.size());
        if (dot > 0) {
            const qsizetype tar = splitAt(dot);
            if (tar > 0
                && QStringView(name).sliced(tar, dot - tar).compare(u".tar", Qt::CaseInsensitive)
                       == 0)
                dot = tar;
            stem = name.left(dot);
            extension = name.mid(dot);
        }
    }
    const QString suffix = u" ("_s + QString::number(n) + u')';
    // An extension is at most ".tar." and 16 UTF-16 units, so the stem always keeps room.
    const qsizetype budget = MaxComponentBytes - utf8Length(suffix) - utf8Length(extension);
    if (utf8Length(stem) > budget) {
        // Cut at a code point, never inside a surrogate pair.
        qsizetype bytes = 0;
        qsizetype keep = 0;
        for (qsizetype i = 0; i < stem.size();) {
            bytes += utf8Bytes(nextCodePoint(stem, i));
            if (bytes > budget)
                break;
            keep = i;
        }
        stem.truncate(keep);
    }
    const QString result = stem + suffix + extension;
    QString error;
    return isValidName(result, &error) ? result : QString();
}

QString SafeName::unique(const QDir &dir, const QString &name, Kind kind)
{
    QString error;
    if (!isValidName(name, &error))
        return {};
    // QFileInfo::exists() alone follows a symlink and calls a dangling one free; isSymLink()
    // looks at the link itself. The writer's O_EXCL stays the real guard.
    const auto taken = [&](const QString &candidate) {
        const QFileInfo info(dir.filePath(candidate));
        return info.exists() || info.isSymLink();
    };
    if (!taken(name))
        return name;
    for (int n = 1; n <= MaxCollisions; ++n) {
        const QString candidate = numbered(name, n, kind);
        if (candidate.isEmpty())
            return {};
        if (!taken(candidate))
            return candidate;
    }
    return {};
}
