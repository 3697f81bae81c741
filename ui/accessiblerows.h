// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QIdentityProxyModel>

#include <functional>

// A core model as it is, plus what a screen reader says for each row (Qt::AccessibleTextRole),
// which the core models do not know (it is wording for people, and ui/'s business).
class AccessibleRows final : public QIdentityProxyModel
{
    Q_OBJECT

public:
    using Describe = std::function<QString(const QModelIndex &source)>;

    AccessibleRows(QAbstractItemModel *source, Describe describe, QObject *parent = nullptr)
        : QIdentityProxyModel(parent)
        , m_describe(std::move(describe))
    {
        setSourceModel(source);
    }

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (role == Qt::AccessibleTextRole && index.isValid())
            return m_describe(mapToSource(index));
        return QIdentityProxyModel::data(index, role);
    }

private:
    Describe m_describe;
};
