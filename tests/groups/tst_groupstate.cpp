// SPDX-License-Identifier: GPL-3.0-or-later
// The fold of a group's membership messages (docs/groups.md, rule 1).
#include "groups/grouplimits.h"
#include "groups/groupstate.h"
#include "identity/identity.h"

#include <QTest>

#include <algorithm>

using Groups::Body;
using Groups::Kind;

namespace {
struct Who
{
    QString id;
    QByteArray cert;
};
} // namespace

class tst_GroupState : public QObject
{
    Q_OBJECT

private:
    QList<Who> m_people; // 0 = the owner
    QByteArray m_nonce = QByteArray(16, '\x07');
    QString m_group;

    Groups::Member member(int i) const
    {
        return Groups::Member{m_people.at(i).id, m_people.at(i).cert, QStringLiteral("p%1").arg(i)};
    }
    Body body(int author, qint64 seq, qint64 lc, Kind kind) const
    {
        Body b;
        b.group = m_group;
        b.author = m_people.at(author).id;
        b.seq = seq;
        b.lc = lc;
        b.prev = QByteArray(32, '\0');
        b.sentAt = QDateTime::currentDateTimeUtc();
        b.kind = kind;
        return b;
    }
    Body create(QList<int> members) const
    {
        Body b = body(0, 1, 1, Kind::Create);
        b.name = QStringLiteral("Team");
        b.nonce = m_nonce;
        for (int i : members)
            b.members.append(member(i));
        return b;
    }
    Body add(int author, qint64 seq, qint64 lc, QList<int> who) const
    {
        Body b = body(author, seq, lc, Kind::Add);
        for (int i : who)
            b.members.append(member(i));
        return b;
    }
    Body remove(int author, qint64 seq, qint64 lc, int who, qint64 cut) const
    {
        Body b = body(author, seq, lc, Kind::Remove);
        b.removed.append({m_people.at(who).id, cut});
        return b;
    }
    Body rename(int author, qint64 seq, qint64 lc, const QString &name) const
    {
        Body b = body(author, seq, lc, Kind::Rename);
        b.name = name;
        return b;
    }
    QString id(int i) const { return m_people.at(i).id; }

private Q_SLOTS:
    void initTestCase()
    {
        for (int i = 0; i < 5; ++i) {
            QString error;
            const auto identity = Identity::generate(&error);
            QVERIFY2(identity, qPrintable(error));
            m_people.append(Who{identity->id(), identity->certificate().toDer()});
        }
        m_group = Groups::groupIdFor(id(0), m_nonce);
    }

    void createMakesOwnerNameAndMembers()
    {
        const GroupState s = GroupState::fold(m_group, {create({0, 1, 2})});
        QVERIFY(s.isValid());
        QCOMPARE(s.owner(), id(0));
        QCOMPARE(s.name(), QStringLiteral("Team"));
        QCOMPARE(s.members(), (QStringList{id(0), id(1), id(2)}));
        QCOMPARE(s.certificate(id(1)), m_people.at(1).cert);
        QVERIFY(s.mayWrite(id(1), 1));
        QVERIFY(s.mayWrite(id(1), 1'000'000));
        QVERIFY(!s.mayWrite(id(3), 1));
        QVERIFY(s.ignored().isEmpty());
    }

    void createRefused_data()
    {
        QTest::addColumn<int>("flaw");
        QTest::newRow("another group's ID") << 0;
        QTest::newRow("creator not a member") << 1;
        QTest::newRow("certificate of someone else") << 2;
        QTest::newRow("not seq 1") << 3;
        QTest::newRow("by someone else than the ID names") << 4;
    }
    void createRefused()
    {
        QFETCH(int, flaw);
        Body c = create({0, 1});
        switch (flaw) {
        case 0:
            c.nonce = QByteArray(16, '\x08');
            break;
        case 1:
            c.members = {member(1), member(2)};
            break;
        case 2:
            c.members[1].cert = m_people.at(2).cert;
            break;
        case 3:
            c.seq = 2;
            break;
        case 4:
            c.author = id(1);
            break;
        }
        QString why;
        QVERIFY(!GroupState::checkCreate(m_group, c, &why));
        QVERIFY(!why.isEmpty());
        const GroupState s = GroupState::fold(m_group, {c, add(0, 2, 2, {3})});
        QVERIFY(!s.isValid());
        QVERIFY(s.members().isEmpty());
        QCOMPARE(s.ignored().size(), 2);
    }

    void addGivesANewRange()
    {
        const GroupState s = GroupState::fold(m_group, {create({0, 1}), add(1, 1, 2, {2, 3})});
        QCOMPARE(s.members(), (QStringList{id(0), id(1), id(2), id(3)}));
        QCOMPARE(s.member(id(3))->name, QStringLiteral("p3"));
        QVERIFY(s.mayWrite(id(3), 1));
    }

    void nonMembersChangeNothing()
    {
        // 4 is no member: its add, rename and remove count for nothing.
        const GroupState s = GroupState::fold(m_group,
                                              {create({0, 1}),
                                               add(4, 1, 2, {3}),
                                               rename(4, 2, 3, QStringLiteral("Mine")),
                                               remove(4, 3, 4, 1, 0)});
        QCOMPARE(s.members(), (QStringList{id(0), id(1)}));
        QCOMPARE(s.name(), QStringLiteral("Team"));
        QCOMPARE(s.ignored().size(), 3);
    }

    void removeByOwnerCutsTheRange()
    {
        const GroupState s = GroupState::fold(m_group, {create({0, 1, 2}), remove(0, 2, 10, 2, 7)});
        QCOMPARE(s.members(), (QStringList{id(0), id(1)}));
        QVERIFY(s.wasMember(id(2)));
        QVERIFY(s.mayWrite(id(2), 7));  // before the cut: still valid
        QVERIFY(!s.mayWrite(id(2), 8)); // after it: refused
    }

    void removeByOthersIsRefused()
    {
        const GroupState s = GroupState::fold(m_group, {create({0, 1, 2}), remove(1, 1, 2, 2, 0)});
        QCOMPARE(s.members(), (QStringList{id(0), id(1), id(2)}));
        QCOMPARE(s.ignored().size(), 1);
    }

    void leaveEndsAtItsOwnSeqAndAddingBackGoesOn()
    {
        GroupState s = GroupState::fold(m_group, {create({0, 1}), body(1, 4, 5, Kind::Leave)});
        QCOMPARE(s.members(), QStringList{id(0)});
        QVERIFY(s.mayWrite(id(1), 4));
        QVERIFY(!s.mayWrite(id(1), 5));
        // Its messages after the leave count only once it is back, from where it left off.
        s = GroupState::fold(m_group,
                             {create({0, 1}), body(1, 4, 5, Kind::Leave), add(0, 2, 6, {1})});
        QVERIFY(s.isMember(id(1)));
        QVERIFY(s.mayWrite(id(1), 5));
        QCOMPARE(s.member(id(1))->ranges.size(), 2);
    }

    void removedMemberCannotRenameAfterItsCut()
    {
        const GroupState s = GroupState::fold(m_group,
                                              {create({0, 1}),
                                               remove(0, 2, 3, 1, 1),
                                               rename(1, 2, 9, QStringLiteral("Taken"))});
        QCOMPARE(s.name(), QStringLiteral("Team"));
        QCOMPARE(s.ignored(), (QList<QPair<QString, qint64>>{{id(1), 2}}));
    }

    void renameByAMember()
    {
        const GroupState s = GroupState::fold(m_group,
                                              {create({0, 1}),
                                               rename(1, 1, 2, QStringLiteral("A")),
                                               rename(0, 2, 3, QStringLiteral("B"))});
        QCOMPARE(s.name(), QStringLiteral("B"));
    }

    void onlyOneCreate()
    {
        Body second = create({0, 2});
        second.lc = 5;
        second.name = QStringLiteral("Other");
        const GroupState s = GroupState::fold(m_group, {second, create({0, 1})});
        QCOMPARE(s.members(), (QStringList{id(0), id(1)}));
        QCOMPARE(s.name(), QStringLiteral("Team"));
    }

    void tooManyMembers()
    {
        Body a = add(0, 2, 2, {});
        for (int i = 0; i < Groups::MaxMembers; ++i) {
            // Not real members: the count alone refuses it.
            a.members.append(Groups::Member{QString(64, QLatin1Char('a' + i % 6)), {}, {}});
        }
        const GroupState s = GroupState::fold(m_group, {create({0, 1}), a});
        QCOMPARE(s.members().size(), 2);
        QCOMPARE(s.ignored().size(), 1);
    }

    // The same messages in every order give the same state.
    void orderDoesNotMatter()
    {
        QList<Body> all{create({0, 1, 2}),
                        add(1, 1, 2, {3}),
                        rename(2, 1, 3, QStringLiteral("Renamed")),
                        remove(0, 2, 4, 2, 1),
                        body(3, 1, 4, Kind::Leave),
                        add(0, 3, 5, {4, 3})};
        const GroupState expected = GroupState::fold(m_group, all);
        QCOMPARE(expected.members(), (QStringList{id(0), id(1), id(3), id(4)}));
        QCOMPARE(expected.name(), QStringLiteral("Renamed"));
        QVERIFY(expected.mayWrite(id(3), 2)); // back after its leave at 1
        QList<int> order{0, 1, 2, 3, 4, 5};
        int permutations = 0;
        do {
            QList<Body> shuffled;
            for (int i : order)
                shuffled.append(all.at(i));
            const GroupState s = GroupState::fold(m_group, shuffled);
            if (s != expected)
                QFAIL(qPrintable(
                    QStringLiteral("differs for order %1").arg(QString::number(permutations))));
            ++permutations;
        } while (std::next_permutation(order.begin(), order.end()));
        QCOMPARE(permutations, 720);
    }
};

QTEST_APPLESS_MAIN(tst_GroupState)
#include "tst_groupstate.moc"
