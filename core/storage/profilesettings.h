#pragma once

#include "net/ports.h"

#include <QMetaType>
#include <QString>

// What a person sets in Settings, kept in the profile's shoal.ini. Command-line options win
// over these for one run.
struct ProfileSettings
{
    QString name;
    quint16 port = DefaultPort;
    bool discoveryEnabled = true;
    quint16 discoveryPort = DefaultDiscoveryPort;
    bool readReceipts = true; // tell senders when their message has been shown

    static ProfileSettings load(const QString &profileDir);
    bool save(const QString &profileDir, QString *error) const;
    bool operator==(const ProfileSettings &o) const
    {
        return name == o.name && port == o.port && discoveryEnabled == o.discoveryEnabled
               && discoveryPort == o.discoveryPort && readReceipts == o.readReceipts;
    }
};
Q_DECLARE_METATYPE(ProfileSettings)
