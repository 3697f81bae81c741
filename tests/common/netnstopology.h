// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Hosts in network namespaces, joined by switches (bridges) and routers, made for one test and
// removed with it: the only place a test may run Shoal with its shipped defaults (broadcast on
// every interface, ports 47800/47801). Every command here is `ip -n <ns>` or
// `ip netns exec <ns>`: nothing touches the namespace the test itself runs in.
// Names carry the pid, so parallel runs never clash.
#include <QDebug>
#include <QProcess>
#include <QStandardPaths>
#include <QStringList>

#include <unistd.h>

using namespace Qt::StringLiterals;

class NetnsTopology
{
public:
    explicit NetnsTopology(const QString &tag)
        : m_tag(tag)
        , m_ip(QStandardPaths::findExecutable(u"ip"_s))
    {}
    ~NetnsTopology()
    {
        // Deleting a namespace deletes its interfaces, and so the veth pairs and bridges.
        for (auto it = m_namespaces.crbegin(); it != m_namespaces.crend(); ++it)
            ip({u"netns"_s, u"del"_s, *it});
    }
    NetnsTopology(const NetnsTopology &) = delete;
    NetnsTopology &operator=(const NetnsTopology &) = delete;

    // Why the tests cannot run here, or empty.
    static QString unavailable()
    {
        if (geteuid() != 0)
            return u"needs root to create network namespaces (CI runs as root)"_s;
        if (QStandardPaths::findExecutable(u"ip"_s).isEmpty())
            return u"needs the ip command (iproute2)"_s;
        return {};
    }

    QString ns(const QString &host) const
    {
        return u"shoal%1-%2-%3"_s.arg(getpid()).arg(m_tag, host);
    }
    QString ipPath() const { return m_ip; }

    // A host: its own namespace with loopback up and no duplicate address detection (so that
    // IPv6 addresses are usable at once).
    bool addHost(const QString &host)
    {
        if (!ip({u"netns"_s, u"add"_s, ns(host)}))
            return false;
        m_namespaces.append(ns(host));
        return exec(host,
                    {u"sysctl"_s,
                     u"-qw"_s,
                     u"net.ipv6.conf.default.accept_dad=0"_s,
                     u"net.ipv6.conf.all.accept_dad=0"_s})
               && ipIn(host, {u"link"_s, u"set"_s, u"lo"_s, u"up"_s});
    }

    // A switch: a bridge in the namespace that holds every switch of this topology.
    bool addSwitch(const QString &name)
    {
        if (!m_namespaces.contains(ns(switches())) && !addHost(switches()))
            return false;
        return ipIn(switches(), {u"link"_s, u"add"_s, name, u"type"_s, u"bridge"_s})
               && ipIn(switches(), {u"link"_s, u"set"_s, name, u"up"_s});
    }

    // Plugs `host`'s new interface `ifname` into switch `sw`, with `addresses` (CIDR), up.
    bool plug(const QString &host,
              const QString &ifname,
              const QString &sw,
              const QStringList &addresses = {})
    {
        // The switch's end of the cable: at most 15 characters, unique per topology.
        const QString port = u"p%1"_s.arg(++m_ports);
        if (!ipIn(host,
                  {u"link"_s,
                   u"add"_s,
                   ifname,
                   u"type"_s,
                   u"veth"_s,
                   u"peer"_s,
                   u"name"_s,
                   port,
                   u"netns"_s,
                   ns(switches())})
            || !ipIn(switches(), {u"link"_s, u"set"_s, port, u"master"_s, sw, u"up"_s}))
            return false;
        for (const QString &a : addresses) {
            if (!ipIn(host, {u"addr"_s, u"add"_s, a, u"dev"_s, ifname}))
                return false;
        }
        return ipIn(host, {u"link"_s, u"set"_s, ifname, u"up"_s});
    }

    // A cable straight from `hostA`'s new interface `ifA` to `hostB`'s `ifB`, with addresses
    // (CIDR), both ends up.
    bool link(const QString &hostA,
              const QString &ifA,
              const QStringList &addressesA,
              const QString &hostB,
              const QString &ifB,
              const QStringList &addressesB)
    {
        if (!ipIn(hostA,
                  {u"link"_s,
                   u"add"_s,
                   ifA,
                   u"type"_s,
                   u"veth"_s,
                   u"peer"_s,
                   u"name"_s,
                   ifB,
                   u"netns"_s,
                   ns(hostB)}))
            return false;
        for (const QString &a : addressesA) {
            if (!ipIn(hostA, {u"addr"_s, u"add"_s, a, u"dev"_s, ifA}))
                return false;
        }
        for (const QString &a : addressesB) {
            if (!ipIn(hostB, {u"addr"_s, u"add"_s, a, u"dev"_s, ifB}))
                return false;
        }
        return ipIn(hostA, {u"link"_s, u"set"_s, ifA, u"up"_s})
               && ipIn(hostB, {u"link"_s, u"set"_s, ifB, u"up"_s});
    }

    // Pulls out the cable `ifname` of `host` (a veth: both its ends go).
    bool unplug(const QString &host, const QString &ifname)
    {
        return ipIn(host, {u"link"_s, u"del"_s, ifname});
    }

    bool enableForwarding(const QString &host)
    {
        return exec(host,
                    {u"sysctl"_s,
                     u"-qw"_s,
                     u"net.ipv4.ip_forward=1"_s,
                     u"net.ipv6.conf.all.forwarding=1"_s});
    }

    // `ip -n <host's ns> args`.
    bool ipIn(const QString &host, const QStringList &args)
    {
        return ip(QStringList{u"-n"_s, ns(host)} + args);
    }

    // Runs `command` inside the host's namespace, `input` on its stdin.
    bool exec(const QString &host,
              const QStringList &command,
              const QByteArray &input = {},
              QByteArray *output = nullptr)
    {
        return run(m_ip, QStringList{u"netns"_s, u"exec"_s, ns(host)} + command, input, output);
    }

    // Loads an nftables ruleset (nft -f syntax) in the host's namespace.
    bool nft(const QString &host, const QString &ruleset)
    {
        const QString nft = QStandardPaths::findExecutable(u"nft"_s);
        if (nft.isEmpty()) {
            qWarning("needs nft (nftables; scripts/setup.sh installs it)");
            return false;
        }
        return exec(host, {nft, u"-f"_s, u"-"_s}, ruleset.toUtf8());
    }

    // Program and arguments that run shoal-cli in the host's namespace with the shipped
    // defaults: no --discovery-target, no --port, SHOAL_LOOPBACK_ONLY unset there only.
    QStringList shoalArguments(const QString &host,
                               const QString &cli,
                               const QString &profile,
                               const QString &name) const
    {
        return {u"netns"_s,
                u"exec"_s,
                ns(host),
                u"env"_s,
                u"-u"_s,
                u"SHOAL_LOOPBACK_ONLY"_s,
                cli,
                u"--profile"_s,
                profile,
                u"--name"_s,
                name};
    }

private:
    static QString switches() { return u"sw"_s; }

    bool ip(const QStringList &args) { return run(m_ip, args); }
    static bool run(const QString &program,
                    const QStringList &args,
                    const QByteArray &input = {},
                    QByteArray *output = nullptr)
    {
        QProcess p;
        p.start(program, args);
        if (!input.isEmpty())
            p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0) {
            qWarning().noquote() << program << args.join(u' ')
                                 << "failed:" << p.readAllStandardError().trimmed();
            return false;
        }
        if (output)
            *output = p.readAllStandardOutput();
        return true;
    }

    QString m_tag;
    QString m_ip;
    QStringList m_namespaces;
    int m_ports = 0;
};
