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
        // Issue 17: a row's tool tip in the window's words, where it has its own.
        if (role == Qt::ToolTipRole && index.isValid() && m_toolTip) {
            const QString tip = m_toolTip(mapToSource(index));
            if (!tip.isEmpty())
                return tip;
        }
        return QIdentityProxyModel::data(index, role);
    }

    // What a row's tool tip says instead of the core model's; empty: the core model's.
    void setToolTips(Describe toolTip) { m_toolTip = std::move(toolTip); }

private:
    Describe m_describe;
    Describe m_toolTip; // issue 17
};
