// SPDX-License-Identifier: GPL-3.0-or-later
// Groups between real shoal-cli processes on loopback (issue 13): a member who was away gets
// what it missed from whoever is online, each message once, in each author's order; membership
// changes made while a member is away converge; send-many; bad commands change nothing.
#include "cliprocess.h"

#include <QDebug>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

class CliPeer : public CliProcess
{
public:
    CliPeer(const QString &profile, const QString &name)
        : CliProcess(QStringLiteral(SHOAL_CLI_PATH), isolatedCliArguments(profile, name))
    {}

    // The reply to the command sent with `ref`, or an empty object.
    QJsonObject reply(int ref) const
    {
        return find([&](const QJsonObject &e) { return e.value(u"ref"_s) == ref; });
    }
    // The group messages received (text only, membership changes left out), in arrival order.
    QList<QJsonObject> groupMessages(const QString &group) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &e : all(u"message"_s)) {
            if (e.value(u"group"_s) == group && !e.contains(u"kind"_s))
                out.append(e);
        }
        return out;
    }
    // The last "group" event of `group`.
    QJsonObject lastGroup(const QString &group) const
    {
        const auto list = all(u"group"_s);
        for (auto it = list.crbegin(); it != list.crend(); ++it) {
            if (it->value(u"id"_s) == group)
                return *it;
        }
        return {};
    }
};

struct Peer
{
    QString name;
    QTemporaryDir dir;
    std::unique_ptr<CliPeer> cli;
    // Earlier runs of this profile (their events stay readable).
    std::vector<std::unique_ptr<CliPeer>> past;
    QString id;

    bool start()
    {
        if (cli)
            past.push_back(std::move(cli));
        cli = std::make_unique<CliPeer>(dir.path(), name);
        if (!QTest::qWaitFor([&] { return !cli->id().isEmpty(); }, 10000))
            return false;
        id = cli->id();
        return true;
    }
    bool quit()
    {
        cli->send({{u"cmd"_s, u"quit"_s}});
        return cli->process.waitForFinished(10000);
    }
    // Every event of `name` from this run and the earlier ones.
    QList<QJsonObject> allRuns(const QString &name) const
    {
        QList<QJsonObject> out;
        for (const auto &p : past)
            out += p->all(name);
        if (cli)
            out += cli->all(name);
        return out;
    }
};

// Peers named `names`, each started on its own profile.
struct Net
{
    std::vector<std::unique_ptr<Peer>> peers;
    int nextRef = 1000;

    explicit Net(const QStringList &names)
    {
        for (const QString &n : names) {
            peers.push_back(std::make_unique<Peer>());
            peers.back()->name = n;
        }
    }
    Peer &operator[](int i) { return *peers.at(size_t(i)); }
    bool startAll()
    {
        for (auto &p : peers) {
            if (!p->start())
                return false;
        }
        return true;
    }
    // `a` dials `b`; true once each lists the other online.
    bool link(Peer &a, Peer &b)
    {
        a.cli->send(
            {{u"cmd"_s, u"connect"_s}, {u"address"_s, u"127.0.0.1:%1"_s.arg(b.cli->port())}});
        return QTest::qWaitFor(
            [&] { return a.cli->peerOnline(b.id, true) && b.cli->peerOnline(a.id, true); },
            30000); // five processes meshing at once on a loaded CI machine: room, not a goal
    }
    bool mesh(const QList<int> &which)
    {
        for (int i = 0; i < which.size(); ++i) {
            for (int j = 0; j < i; ++j) {
                if (!link((*this)[which.at(i)], (*this)[which.at(j)]))
                    return false;
            }
        }
        return true;
    }
    // Sends `command` with a fresh ref; the reply, or an empty object after 10 s.
    QJsonObject call(Peer &p, QJsonObject command)
    {
        const int ref = ++nextRef;
        command.insert(u"ref"_s, ref);
        p.cli->send(command);
        if (!QTest::qWaitFor([&] { return !p.cli->reply(ref).isEmpty(); }, 10000))
            return {};
        return p.cli->reply(ref);
    }
    // A new group's ID (empty, and the reply logged, if it was refused).
    QString create(Peer &p, const QString &name, const QJsonArray &members)
    {
        const QJsonObject r
            = call(p, {{u"cmd"_s, u"group-create"_s}, {u"name"_s, name}, {u"members"_s, members}});
        if (r.value(u"event"_s) != u"group"_s)
            qWarning() << "group-create:" << r;
        return r.value(u"id"_s).toString();
    }
    // The reply to `groups`: group ID -> "name|owner|sorted members".
    QMap<QString, QString> groups(Peer &p)
    {
        QMap<QString, QString> out;
        const QJsonObject r = call(p, {{u"cmd"_s, u"groups"_s}});
        for (const QJsonValue &v : r.value(u"groups"_s).toArray()) {
            const QJsonObject g = v.toObject();
            QStringList members;
            for (const QJsonValue &m : g.value(u"members"_s).toArray())
                members.append(m.toString());
            members.sort();
            out.insert(g.value(u"id"_s).toString(),
                       QStringList{g.value(u"name"_s).toString(),
                                   g.value(u"owner"_s).toString(),
                                   members.join(u',')}
                           .join(u'|'));
        }
        return out;
    }
};

QJsonArray idsOf(const QList<Peer *> &peers)
{
    QJsonArray out;
    for (const Peer *p : peers)
        out.append(p->id);
    return out;
}

// Each author's texts in the order received, from `messages`.
QHash<QString, QStringList> byAuthor(const QList<QJsonObject> &messages)
{
    QHash<QString, QStringList> out;
    for (const QJsonObject &m : messages)
        out[m.value(u"from"_s).toString()].append(m.value(u"text"_s).toString());
    return out;
}

QStringList numbered(const QString &prefix, int count)
{
    QStringList out;
    for (int i = 1; i <= count; ++i)
        out.append(u"%1 %2"_s.arg(prefix).arg(i));
    return out;
}

} // namespace

class tst_GroupsCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void awayMemberCatchesUpFromOneMember();
    void membershipChangedWhileAwayConverges();
    void sendManyReachesEachPeer();
    void groupReplyCarriesReplyTo(); // issue 15
    void badCommandsChangeNothing();
};

void tst_GroupsCli::awayMemberCatchesUpFromOneMember()
{
    constexpr int PerAuthor = 100;
    Net net({u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s, u"Eve"_s});
    Peer &alice = net[0], &bob = net[1], &carol = net[2], &dave = net[3], &eve = net[4];
    QVERIFY(net.startAll());
    QVERIFY(net.mesh({0, 1, 2, 3, 4}));

    const QJsonObject created = net.call(alice,
                                         {{u"cmd"_s, u"group-create"_s},
                                          {u"name"_s, u"五人 group"_s},
                                          {u"members"_s, idsOf({&bob, &carol, &dave, &eve})}});
    QCOMPARE(created.value(u"event"_s).toString(), u"group"_s);
    const QString group = created.value(u"id"_s).toString();
    QCOMPARE(group.size(), 32);
    QCOMPARE(created.value(u"owner"_s).toString(), alice.id);
    QCOMPARE(created.value(u"members"_s).toArray().size(), 5);
    // Every member sees it appear.
    for (int i = 1; i < 5; ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(net[i].cli->lastGroup(group).value(u"member"_s).toBool(),
                                  true,
                                  10000);
        QCOMPARE(net[i].cli->lastGroup(group).value(u"name"_s).toString(), u"五人 group"_s);
        QCOMPARE(net[i].cli->lastGroup(group).value(u"owner"_s).toString(), alice.id);
    }

    QVERIFY(eve.quit());
    for (Peer *p : {&alice, &bob, &carol}) {
        for (const QString &text : numbered(p->name, PerAuthor))
            p->cli->send({{u"cmd"_s, u"group-send"_s}, {u"group"_s, group}, {u"text"_s, text}});
    }
    // Carol holds all 200 of the others'; Dave too.
    for (Peer *p : {&carol, &dave}) {
        QTRY_COMPARE_WITH_TIMEOUT(p->cli->groupMessages(group).size(),
                                  p == &carol ? 2 * PerAuthor : 3 * PerAuthor,
                                  60000);
    }
    QVERIFY(alice.quit());
    QVERIFY(bob.quit());
    QVERIFY(dave.quit());

    // Eve returns and meets Carol alone: all 300, each once, in each author's order.
    QVERIFY(eve.start());
    QVERIFY(net.link(eve, carol));
    QTRY_COMPARE_WITH_TIMEOUT(eve.cli->groupMessages(group).size(), 3 * PerAuthor, 60000);
    const auto got = byAuthor(eve.cli->groupMessages(group));
    QCOMPARE(got.value(alice.id), numbered(u"Alice"_s, PerAuthor));
    QCOMPARE(got.value(bob.id), numbered(u"Bob"_s, PerAuthor));
    QCOMPARE(got.value(carol.id), numbered(u"Carol"_s, PerAuthor));
    QSet<QString> ids;
    for (const QJsonObject &m : eve.cli->groupMessages(group))
        ids.insert(m.value(u"id"_s).toString());
    QCOMPARE(ids.size(), 3 * PerAuthor);
    // Her history holds them too, once each.
    const QJsonObject history
        = net.call(eve, {{u"cmd"_s, u"history"_s}, {u"with"_s, group}, {u"limit"_s, 1000}});
    int texts = 0;
    for (const QJsonValue &v : history.value(u"messages"_s).toArray())
        texts += !v.toObject().contains(u"kind"_s);
    QCOMPARE(texts, 3 * PerAuthor);

    // Everyone meets again: every author sees each of its messages delivered to every member.
    QVERIFY(alice.start());
    QVERIFY(bob.start());
    QVERIFY(dave.start());
    QVERIFY(net.mesh({0, 1, 2, 3, 4}));
    QHash<Peer *, QSet<QString>> authored;
    // How many of `author`'s messages reached delivered (or read; only read when `read`) for
    // `member`, in the state events of any of the author's runs.
    auto reached = [&](Peer &author, const QString &member, bool read) {
        QSet<QString> ids;
        for (const QJsonObject &e : author.allRuns(u"state"_s)) {
            const QString state = e.value(u"state"_s).toString();
            const QString id = e.value(u"id"_s).toString();
            if (e.value(u"group"_s) == group && e.value(u"member"_s) == member
                && authored.value(&author).contains(id)
                && (state == u"read"_s || (!read && state == u"delivered"_s)))
                ids.insert(id);
        }
        return int(ids.size());
    };
    for (Peer *author : {&alice, &bob, &carol}) {
        // Its messages: the replies to its group-send commands.
        QSet<QString> sent;
        for (const QJsonObject &e : author->allRuns(u"sent"_s))
            sent.insert(e.value(u"id"_s).toString());
        QCOMPARE(sent.size(), PerAuthor);
        authored[author] = sent;
        for (const auto &p : net.peers) {
            if (p.get() != author)
                QTRY_COMPARE_WITH_TIMEOUT(reached(*author, p->id, false), PerAuthor, 30000);
        }
    }
    // Eve reads the group: each author hears it (she sends read receipts, the default).
    QCOMPARE(net.call(eve, {{u"cmd"_s, u"read"_s}, {u"with"_s, group}}).value(u"event"_s).toString(),
             u"read"_s);
    for (Peer *author : {&alice, &bob, &carol})
        QTRY_COMPARE_WITH_TIMEOUT(reached(*author, eve.id, true), PerAuthor, 30000);
    // And Alice's history says so per member.
    const QJsonObject aliceHistory
        = net.call(alice, {{u"cmd"_s, u"history"_s}, {u"with"_s, group}, {u"limit"_s, 1000}});
    int mine = 0;
    for (const QJsonValue &v : aliceHistory.value(u"messages"_s).toArray()) {
        const QJsonObject m = v.toObject();
        if (m.value(u"from"_s) != alice.id || m.contains(u"kind"_s))
            continue;
        ++mine;
        const QJsonObject members = m.value(u"members"_s).toObject();
        QCOMPARE(members.size(), 4);
        for (Peer *p : {&bob, &carol, &dave})
            QCOMPARE(members.value(p->id).toString(), u"delivered"_s);
        QCOMPARE(members.value(eve.id).toString(), u"read"_s);
    }
    QCOMPARE(mine, PerAuthor);
}

void tst_GroupsCli::membershipChangedWhileAwayConverges()
{
    Net net({u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    Peer &alice = net[0], &bob = net[1], &carol = net[2], &dave = net[3];
    QVERIFY(net.startAll());
    QVERIFY(net.mesh({0, 1, 2}));
    QVERIFY(net.link(dave, alice));
    const QString group = net.create(alice, u"Plans"_s, idsOf({&bob, &carol}));
    QCOMPARE(group.size(), 32);
    QTRY_VERIFY_WITH_TIMEOUT(!carol.cli->lastGroup(group).isEmpty(), 10000);

    // Carol goes away; meanwhile Alice adds Dave and removes Bob, and Dave renames the group.
    QVERIFY(carol.quit());
    QCOMPARE(net.call(alice,
                      {{u"cmd"_s, u"group-add"_s},
                       {u"group"_s, group},
                       {u"members"_s, idsOf({&dave})}})
                 .value(u"event"_s)
                 .toString(),
             u"group-add"_s);
    QTRY_COMPARE_WITH_TIMEOUT(dave.cli->lastGroup(group).value(u"member"_s).toBool(), true, 10000);
    QCOMPARE(net.call(alice,
                      {{u"cmd"_s, u"group-remove"_s}, {u"group"_s, group}, {u"member"_s, bob.id}})
                 .value(u"event"_s)
                 .toString(),
             u"group-remove"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bob.cli->lastGroup(group).value(u"member"_s).toBool(), false, 10000);
    QCOMPARE(net.call(dave,
                      {{u"cmd"_s, u"group-rename"_s}, {u"group"_s, group}, {u"name"_s, u"Trip"_s}})
                 .value(u"event"_s)
                 .toString(),
             u"group-rename"_s);
    QTRY_COMPARE_WITH_TIMEOUT(alice.cli->lastGroup(group).value(u"name"_s).toString(),
                              u"Trip"_s,
                              10000);

    // Carol returns and meets Dave, whom she has never met; she redials Alice and Bob too (members
    // she wants), so she catches up from whichever answers first, and the link below may
    // replace a stream of hers to Alice.
    QVERIFY(carol.start());
    QVERIFY(net.link(carol, dave));
    QStringList sorted{alice.id, carol.id, dave.id};
    sorted.sort();
    const QString expected = QStringList{u"Trip"_s, alice.id, sorted.join(u',')}.join(u'|');
    for (Peer *p : {&alice, &carol, &dave}) {
        QTRY_COMPARE_WITH_TIMEOUT(net.groups(*p).value(group), expected, 20000);
        QCOMPARE(p->cli->lastGroup(group).value(u"member"_s).toBool(), true);
    }
    // Bob knows he is out.
    QCOMPARE(bob.cli->lastGroup(group).value(u"member"_s).toBool(), false);
    // A message Carol writes now reaches Alice (through Dave, or directly) and Dave, not Bob.
    QCOMPARE(net.call(carol,
                      {{u"cmd"_s, u"group-send"_s}, {u"group"_s, group}, {u"text"_s, u"back"_s}})
                 .value(u"event"_s)
                 .toString(),
             u"sent"_s);
    QTRY_COMPARE_WITH_TIMEOUT(dave.cli->groupMessages(group).size(), 1, 10000);
    QCOMPARE(dave.cli->groupMessages(group).first().value(u"from"_s).toString(), carol.id);
    QVERIFY(net.link(carol, alice));
    QTRY_COMPARE_WITH_TIMEOUT(alice.cli->groupMessages(group).size(), 1, 10000);
    QCOMPARE(bob.cli->groupMessages(group).size(), 0);
}

void tst_GroupsCli::sendManyReachesEachPeer()
{
    Net net({u"Alice"_s, u"Bob"_s, u"Carol"_s, u"Dave"_s});
    Peer &alice = net[0];
    QVERIFY(net.startAll());
    for (int i = 1; i < 4; ++i)
        QVERIFY(net.link(net[i], alice));

    // One unknown ID among them: refused, and nobody gets anything.
    const QJsonObject refused = net.call(alice,
                                         {{u"cmd"_s, u"send-many"_s},
                                          {u"to"_s,
                                           QJsonArray{net[1].id, QString(64, u'e'), net[2].id}},
                                          {u"text"_s, u"not this one"_s}});
    QCOMPARE(refused.value(u"event"_s).toString(), u"error"_s);

    const int ref = 7;
    alice.cli->send({{u"cmd"_s, u"send-many"_s},
                     {u"to"_s, idsOf({&net[1], &net[2], &net[3]})},
                     {u"text"_s, u"大家好"_s},
                     {u"ref"_s, ref}});
    // One reply per message, as send's: its first state.
    auto replies = [&] {
        QList<QJsonObject> out;
        for (const QJsonObject &e : alice.cli->events) {
            if (e.value(u"ref"_s) == ref)
                out.append(e);
        }
        return out;
    };
    QTRY_COMPARE(replies().size(), 3);
    QSet<QString> to;
    for (const QJsonObject &r : replies()) {
        QCOMPARE(r.value(u"event"_s).toString(), u"state"_s);
        QCOMPARE(r.value(u"state"_s).toString(), u"queued"_s);
        to.insert(r.value(u"to"_s).toString());
    }
    QCOMPARE(to, (QSet<QString>{net[1].id, net[2].id, net[3].id}));
    for (int i = 1; i < 4; ++i) {
        QTRY_COMPARE(net[i].cli->all(u"message"_s).size(), 1);
        const QJsonObject m = net[i].cli->event(u"message"_s);
        QCOMPARE(m.value(u"from"_s).toString(), alice.id);
        QCOMPARE(m.value(u"text"_s).toString(), u"大家好"_s);
        QVERIFY(!m.contains(u"group"_s));
    }
}

void tst_GroupsCli::badCommandsChangeNothing()
{
    Net net({u"Alice"_s, u"Bob"_s, u"Carol"_s});
    Peer &alice = net[0], &bob = net[1], &carol = net[2];
    QVERIFY(net.startAll());
    QVERIFY(net.mesh({0, 1, 2}));
    const QString group = net.create(alice, u"Team"_s, idsOf({&bob, &carol}));
    QCOMPARE(group.size(), 32);
    for (Peer *p : {&bob, &carol})
        QTRY_VERIFY_WITH_TIMEOUT(!p->cli->lastGroup(group).isEmpty(), 10000);
    // Carol leaves: from now on she is not a member.
    QCOMPARE(net.call(carol, {{u"cmd"_s, u"group-leave"_s}, {u"group"_s, group}})
                 .value(u"event"_s)
                 .toString(),
             u"group-leave"_s);
    QTRY_COMPARE_WITH_TIMEOUT(alice.cli->lastGroup(group).value(u"members"_s).toArray().size(),
                              2,
                              10000);
    QTRY_COMPARE_WITH_TIMEOUT(bob.cli->lastGroup(group).value(u"members"_s).toArray().size(),
                              2,
                              10000);
    const auto before = net.groups(alice);
    const QString unknown = QString(32, u'a');

    const QList<std::pair<Peer *, QJsonObject>> bad{
        // unknown group
        {&alice, {{u"cmd"_s, u"group-send"_s}, {u"group"_s, unknown}, {u"text"_s, u"x"_s}}},
        {&alice, {{u"cmd"_s, u"group-rename"_s}, {u"group"_s, unknown}, {u"name"_s, u"x"_s}}},
        {&alice, {{u"cmd"_s, u"group-leave"_s}, {u"group"_s, unknown}}},
        // a peer's ID is not a group's
        {&alice, {{u"cmd"_s, u"group-send"_s}, {u"group"_s, bob.id}, {u"text"_s, u"x"_s}}},
        // not a member (any more)
        {&carol, {{u"cmd"_s, u"group-send"_s}, {u"group"_s, group}, {u"text"_s, u"x"_s}}},
        {&carol, {{u"cmd"_s, u"group-rename"_s}, {u"group"_s, group}, {u"name"_s, u"x"_s}}},
        {&carol, {{u"cmd"_s, u"group-add"_s}, {u"group"_s, group}, {u"members"_s, idsOf({&carol})}}},
        // only the owner removes
        {&bob, {{u"cmd"_s, u"group-remove"_s}, {u"group"_s, group}, {u"member"_s, alice.id}}},
        // a member that is not one, an unknown peer
        {&alice, {{u"cmd"_s, u"group-remove"_s}, {u"group"_s, group}, {u"member"_s, carol.id}}},
        {&alice,
         {{u"cmd"_s, u"group-add"_s},
          {u"group"_s, group},
          {u"members"_s, QJsonArray{QString(64, u'e')}}}},
        {&alice,
         {{u"cmd"_s, u"group-create"_s},
          {u"name"_s, u"x"_s},
          {u"members"_s, QJsonArray{QString(64, u'e')}}}},
        // missing or mistyped fields
        {&alice, {{u"cmd"_s, u"group-create"_s}, {u"name"_s, u"x"_s}}},
        {&alice, {{u"cmd"_s, u"group-create"_s}, {u"members"_s, idsOf({&bob})}}},
        {&alice, {{u"cmd"_s, u"group-create"_s}, {u"name"_s, u""_s}, {u"members"_s, idsOf({&bob})}}},
        {&alice,
         {{u"cmd"_s, u"group-create"_s}, {u"name"_s, u"x"_s}, {u"members"_s, QJsonArray{1, 2}}}},
        {&alice, {{u"cmd"_s, u"group-send"_s}, {u"group"_s, group}}},
        {&alice, {{u"cmd"_s, u"group-send"_s}, {u"text"_s, u"x"_s}}},
        {&alice, {{u"cmd"_s, u"group-add"_s}, {u"group"_s, group}, {u"members"_s, bob.id}}},
        {&alice, {{u"cmd"_s, u"group-remove"_s}, {u"group"_s, group}}},
        {&alice, {{u"cmd"_s, u"group-rename"_s}, {u"group"_s, group}}},
        {&alice, {{u"cmd"_s, u"group-leave"_s}}},
        {&alice, {{u"cmd"_s, u"send-many"_s}, {u"to"_s, bob.id}, {u"text"_s, u"x"_s}}},
        {&alice, {{u"cmd"_s, u"send-many"_s}, {u"to"_s, QJsonArray{}}, {u"text"_s, u"x"_s}}},
        {&alice, {{u"cmd"_s, u"groupz"_s}}},
    };
    for (const auto &[peer, command] : bad) {
        const QJsonObject r = net.call(*peer, command);
        QVERIFY2(r.value(u"event"_s) == u"error"_s,
                 QJsonDocument(command).toJson(QJsonDocument::Compact).constData());
        QVERIFY(!r.value(u"message"_s).toString().isEmpty());
    }
    // Nothing changed: the same groups, no message anywhere, and the group still works.
    QCOMPARE(net.groups(alice), before);
    QCOMPARE(net.groups(bob), before);
    QCOMPARE(net.call(alice,
                      {{u"cmd"_s, u"group-send"_s}, {u"group"_s, group}, {u"text"_s, u"still"_s}})
                 .value(u"event"_s)
                 .toString(),
             u"sent"_s);
    QTRY_COMPARE_WITH_TIMEOUT(bob.cli->groupMessages(group).size(), 1, 10000);
    QCOMPARE(bob.cli->groupMessages(group).first().value(u"text"_s).toString(), u"still"_s);
    // No 1:1 message either (send-many was refused before anything was sent).
    for (const QJsonObject &m : bob.cli->all(u"message"_s))
        QCOMPARE(m.value(u"group"_s).toString(), group);
    QCOMPARE(carol.cli->groupMessages(group).size(), 0);
}

// --- Group replies (issue 15) ---
// group-send "reply_to": in every member's message event and history; a reply to what the group
// does not hold, or not an ID, is refused and sends nothing.
void tst_GroupsCli::groupReplyCarriesReplyTo()
{
    Net net({u"Alice"_s, u"Bob"_s, u"Carol"_s});
    Peer &alice = net[0], &bob = net[1], &carol = net[2];
    QVERIFY(net.startAll());
    QVERIFY(net.mesh({0, 1, 2}));
    const QString group = net.create(alice, u"Lunch"_s, idsOf({&bob, &carol}));
    QVERIFY(!group.isEmpty());
    QTRY_VERIFY(!bob.cli->lastGroup(group).isEmpty());
    QTRY_VERIFY(!carol.cli->lastGroup(group).isEmpty());

    QJsonObject r
        = net.call(bob,
                   {{u"cmd"_s, u"group-send"_s}, {u"group"_s, group}, {u"text"_s, u"lunch?"_s}});
    QCOMPARE(r.value(u"event"_s).toString(), u"sent"_s);
    const QString first = r.value(u"id"_s).toString();
    QTRY_COMPARE(alice.cli->groupMessages(group).size(), 1);
    QVERIFY(!alice.cli->groupMessages(group).at(0).contains(u"reply_to"_s));

    r = net.call(alice,
                 {{u"cmd"_s, u"group-send"_s},
                  {u"group"_s, group},
                  {u"text"_s, u"yes, 12:00"_s},
                  {u"reply_to"_s, first}});
    QCOMPARE(r.value(u"event"_s).toString(), u"sent"_s);
    const QString answer = r.value(u"id"_s).toString();
    for (Peer *p : {&bob, &carol}) {
        QTRY_COMPARE(p->cli->groupMessages(group).size(), p == &bob ? 1 : 2);
        const QJsonObject m = p->cli->groupMessages(group).last();
        QCOMPARE(m.value(u"id"_s).toString(), answer);
        QCOMPARE(m.value(u"from"_s).toString(), alice.id);
        QCOMPARE(m.value(u"reply_to"_s).toString(), first);
    }
    for (Peer *p : {&alice, &bob, &carol}) {
        const QJsonObject h = net.call(*p, {{u"cmd"_s, u"history"_s}, {u"with"_s, group}});
        const QJsonArray messages = h.value(u"messages"_s).toArray();
        QVERIFY(!messages.isEmpty());
        QCOMPARE(messages.last().toObject().value(u"id"_s).toString(), answer);
        QCOMPARE(messages.last().toObject().value(u"reply_to"_s).toString(), first);
    }

    // Not held in this group, or not an ID: refused, nothing sent.
    for (const QJsonValue &bad :
         {QJsonValue(u"5f0a8a4e-0000-4000-8000-000000000000"_s), QJsonValue(12)}) {
        r = net.call(alice,
                     {{u"cmd"_s, u"group-send"_s},
                      {u"group"_s, group},
                      {u"text"_s, u"?"_s},
                      {u"reply_to"_s, bad}});
        QCOMPARE(r.value(u"event"_s).toString(), u"error"_s);
    }
    // Bob's next message is the next one Carol gets: nothing came between.
    r = net.call(bob, {{u"cmd"_s, u"group-send"_s}, {u"group"_s, group}, {u"text"_s, u"ok"_s}});
    QTRY_COMPARE(carol.cli->groupMessages(group).size(), 3);
    QCOMPARE(carol.cli->groupMessages(group).last().value(u"text"_s).toString(), u"ok"_s);
}
// --- end group replies ---

QTEST_GUILESS_MAIN(tst_GroupsCli)
#include "tst_groupscli.moc"
