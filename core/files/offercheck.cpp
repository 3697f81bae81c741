// SPDX-License-Identifier: GPL-3.0-or-later
#include "offercheck.h"

#include <QHash>
#include <QLocale>

#include <vector>

namespace {

// A name in the offer's tree: its folder (a node index, -1 at the top) and the name's
// comparison form. Paths are walked one name at a time, so an offer costs its length, not
// its length times its depth.
struct NodeKey
{
    int parent;
    QString name;

    friend bool operator==(const NodeKey &a, const NodeKey &b)
    {
        return a.parent == b.parent && a.name == b.name;
    }
};

size_t qHash(const NodeKey &key, size_t seed = 0)
{
    return qHashMulti(seed, key.parent, key.name);
}

struct Node
{
    QString spelling; // as offered
    int entry;        // the entry that brought it in: its path shows where the name is
    bool listed;      // an entry of its own, not only implied by a path under it
    SafeName::Kind kind;
};

// Unicode's canonical caseless form (NFD, fold, NFD): two names with the same form are one
// name to NTFS (case), APFS (case and normalisation) or HFS+. The first NFD lets U+0345 fold
// inside precomposed Greek letters.
QString comparisonForm(const QString &name)
{
    return name.normalized(QString::NormalizationForm_D)
        .toCaseFolded()
        .normalized(QString::NormalizationForm_D);
}

// The first depth names of a valid path.
QString prefix(const QString &path, int depth)
{
    return path.section(u'/', 0, depth - 1);
}

// A path quoted in a message. SafeName has already refused control and direction
// characters; this only keeps a 3 KiB path from filling the window.
QString shown(const QString &path)
{
    constexpr qsizetype MaxShown = 60;
    if (path.size() <= MaxShown)
        return path;
    qsizetype cut = MaxShown;
    if (path[cut].isLowSurrogate())
        --cut; // never half an emoji
    return path.left(cut) + u'\u2026';
}

} // namespace

std::optional<QString> OfferCheck::problem(const QList<OfferEntry> &entries,
                                           OfferShape shape,
                                           const OfferLimits &limits)
{
    if (entries.isEmpty())
        return tr("The offer contains no files.");
    const auto tooMany = [&] {
        return tr("The offer contains more than %L1 files and folders, the most Shoal accepts in "
                  "one offer.")
            .arg(limits.maxEntries);
    };
    // Before any per-entry work: a huge offer costs nothing to refuse.
    if (entries.size() > limits.maxEntries)
        return tooMany();

    std::vector<Node> nodes;
    QHash<NodeKey, int> index;
    const auto reserve = qsizetype(qMin(entries.size() * 2, qsizetype(limits.maxEntries)));
    nodes.reserve(size_t(reserve));
    index.reserve(reserve);
    qint64 total = 0;

    for (int i = 0; i < int(entries.size()); ++i) {
        const OfferEntry &entry = entries.at(i);
        QString error;
        const auto names = SafeName::components(entry.path, &error);
        if (!names)
            return error;

        if (entry.kind == SafeName::Kind::Folder && entry.size != 0) {
            return tr("The offered folder \"%1\" claims %L2 bytes; a folder has no size of its "
                      "own.")
                .arg(shown(entry.path))
                .arg(entry.size);
        }
        if (entry.size < 0)
            return tr("The offered file \"%1\" has a negative size.").arg(shown(entry.path));
        // total never exceeds the limit, so this cannot overflow.
        if (entry.size > limits.maxTotalBytes - total) {
            return tr("The offer holds more than %1 in total, the most Shoal accepts in one "
                      "offer.")
                .arg(QLocale().formattedDataSize(limits.maxTotalBytes));
        }
        total += entry.size;

        int parent = -1;
        const int depth = int(names->size());
        for (int d = 1; d <= depth; ++d) {
            const QString &name = names->at(d - 1);
            const bool leaf = d == depth;
            NodeKey key{parent, comparisonForm(name)};
            const auto found = index.constFind(key);
            if (found == index.cend()) {
                if (int(nodes.size()) >= limits.maxEntries)
                    return tooMany();
                if (parent < 0 && shape == OfferShape::Folder) {
                    // The first node made is the first entry's top name.
                    if (!nodes.empty()) {
                        return tr("A folder offer holds one folder, but \"%1\" and \"%2\" are two "
                                  "names at its top.")
                            .arg(shown(nodes.front().spelling), shown(name));
                    }
                    if (leaf && entry.kind == SafeName::Kind::File) {
                        return tr("A folder offer holds one folder, but \"%1\" at its top is a "
                                  "file.")
                            .arg(shown(name));
                    }
                }
                const auto kind = leaf ? entry.kind : SafeName::Kind::Folder;
                parent = int(nodes.size());
                nodes.push_back(Node{name, i, leaf, kind});
                index.insert(std::move(key), parent);
                continue;
            }

            Node &node = nodes[size_t(*found)];
            if (node.spelling != name) {
                const QString theirs = prefix(entries.at(node.entry).path, d);
                const QString ours = prefix(entry.path, d);
                if (theirs.normalized(QString::NormalizationForm_C)
                    == ours.normalized(QString::NormalizationForm_C)) {
                    return tr("The offer contains \"%1\" and \"%2\", the same name with its "
                              "letters encoded in two ways; macOS would take them for one and "
                              "one would overwrite the other.")
                        .arg(shown(theirs), shown(ours));
                }
                return tr("The offer contains \"%1\" and \"%2\", which differ only in upper and "
                          "lower case; Windows and macOS would take them for one and one would "
                          "overwrite the other.")
                    .arg(shown(theirs), shown(ours));
            }
            if (!leaf) {
                // A file node is always the end of its own entry's path.
                if (node.kind == SafeName::Kind::File) {
                    return tr("The offered file \"%1\" is also used as the folder of \"%2\".")
                        .arg(shown(entries.at(node.entry).path), shown(entry.path));
                }
            } else if (node.listed) {
                if (node.kind == entry.kind)
                    return tr("The offer lists \"%1\" twice.").arg(shown(entry.path));
                return tr("The offer lists \"%1\" both as a file and as a folder.")
                    .arg(shown(entry.path));
            } else if (entry.kind == SafeName::Kind::File) {
                // Implied as a folder by a deeper path listed earlier.
                return tr("The offered file \"%1\" is also used as the folder of \"%2\".")
                    .arg(shown(entry.path), shown(entries.at(node.entry).path));
            } else {
                node.listed = true;
            }
            parent = *found;
        }
    }
    return std::nullopt;
}
