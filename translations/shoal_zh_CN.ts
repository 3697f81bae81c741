<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AppOptions</name>
    <message>
        <source>Keep identity, settings and peers in &lt;dir&gt;, so several instances can run side by side.</source>
        <translation>将身份、设置和联系人保存在 &lt;dir&gt; 中，以便多个实例同时运行。</translation>
    </message>
    <message>
        <source>dir</source>
        <translation>目录</translation>
    </message>
    <message>
        <source>Show &lt;name&gt; to other peers.</source>
        <translation>向其他用户显示 &lt;name&gt;。</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Listen on TCP &lt;port&gt; (default %1; 0 picks a free port).</source>
        <translation>监听 TCP 端口 &lt;port&gt;（默认 %1；0 表示任选空闲端口）。</translation>
    </message>
    <message>
        <source>port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Listen on &lt;address&gt; only (default: every address).</source>
        <translation>只在 &lt;address&gt; 上监听（默认：所有地址）。</translation>
    </message>
    <message>
        <source>address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Connect to the peer at &lt;host:port&gt; on start (repeatable).</source>
        <translation>启动时连接位于 &lt;host:port&gt; 的用户（可重复）。</translation>
    </message>
    <message>
        <source>host:port</source>
        <translation>主机:端口</translation>
    </message>
    <message>
        <source>Use &lt;language&gt; (for example zh_CN or en).</source>
        <translation>使用 &lt;language&gt; 语言（例如 zh_CN 或 en）。</translation>
    </message>
    <message>
        <source>language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>--port needs a number from 0 to 65535, not &quot;%1&quot;.</source>
        <translation>--port 需要 0 到 65535 之间的数字，而不是“%1”。</translation>
    </message>
    <message>
        <source>--listen needs an IP address, not &quot;%1&quot;.</source>
        <translation>--listen 需要一个 IP 地址，而不是“%1”。</translation>
    </message>
    <message>
        <source>Find peers on UDP &lt;port&gt; (default %1).</source>
        <translation>在 UDP 端口 &lt;port&gt; 上查找用户（默认 %1）。</translation>
    </message>
    <message>
        <source>Send announcements to &lt;address&gt; instead of every interface&apos;s broadcast address (repeatable).</source>
        <translation>将广播通告发送到 &lt;address&gt;，而不是各网卡的广播地址（可重复）。</translation>
    </message>
    <message>
        <source>Do not look for peers on the LAN.</source>
        <translation>不在局域网中查找用户。</translation>
    </message>
    <message>
        <source>Announce every &lt;ms&gt; milliseconds (default %1); peers unheard for three intervals are gone.</source>
        <translation>每 &lt;ms&gt; 毫秒通告一次（默认 %1）；连续三个周期未收到通告的用户视为离开。</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>毫秒</translation>
    </message>
    <message>
        <source>--discovery-port needs a number from 1 to 65535, not &quot;%1&quot;.</source>
        <translation>--discovery-port 需要 1 到 65535 之间的数字，而不是“%1”。</translation>
    </message>
    <message>
        <source>--discovery-target needs an IP address, not &quot;%1&quot;.</source>
        <translation>--discovery-target 需要一个 IP 地址，而不是“%1”。</translation>
    </message>
    <message>
        <source>--discovery-interval needs milliseconds from 100 to 3600000, not &quot;%1&quot;.</source>
        <translation>--discovery-interval 需要 100 到 3600000 之间的毫秒数，而不是“%1”。</translation>
    </message>
    <message>
        <source>Run &quot;%1 --help&quot; to see the options.</source>
        <translation>运行“%1 --help”查看选项。</translation>
    </message>
    <message>
        <source>Keep running at the end of standard input (for a service); quit on SIGTERM or SIGINT.</source>
        <translation>标准输入结束后继续运行（作为服务）；收到 SIGTERM 或 SIGINT 时退出。</translation>
    </message>
    <message>
        <source>Unexpected argument &quot;%1&quot;.</source>
        <translation>意外的参数“%1”。</translation>
    </message>
    <message>
        <source>%1 is left from an older Shoal and is not used; the settings are in %2.</source>
        <translation>%1 是旧版 Shoal 留下的文件，已不再使用；设置保存在 %2。</translation>
    </message>
    <message>
        <source>Save accepted files in &lt;dir&gt; (default: the Downloads folder).</source>
        <translation>将接受的文件保存在 &lt;dir&gt; 中（默认：“下载”文件夹）。</translation>
    </message>
    <message>
        <source>Accept every file offered, into &lt;dir&gt; (for scripts and tests).</source>
        <translation>接受所有发来的文件，保存到 &lt;dir&gt;（用于脚本和测试）。</translation>
    </message>
    <message>
        <source>An invite link to connect to (shoal:invite?…).</source>
        <translation>要连接的邀请链接（shoal:invite?…）。</translation>
    </message>
    <message>
        <source>Meet IP Messenger, FeiQ and iptux users on UDP and TCP &lt;port&gt; (default %1).</source>
        <translation>在 UDP 和 TCP 端口 &lt;port&gt;（默认 %1）上与 IP Messenger、飞秋和 iptux 用户通信。</translation>
    </message>
    <message>
        <source>Do not talk to IP Messenger, FeiQ or iptux users.</source>
        <translation>不与 IP Messenger、飞秋或 iptux 用户通信。</translation>
    </message>
    <message>
        <source>--ipmsg-port needs a number from 1 to 65535, not &quot;%1&quot;.</source>
        <translation>--ipmsg-port 需要 1 到 65535 之间的数字，而不是“%1”。</translation>
    </message>
</context>
<context>
    <name>AvatarCropArea</name>
    <message>
        <source>Part of the picture to use</source>
        <translation>要使用的图片部分</translation>
    </message>
</context>
<context>
    <name>AvatarCropDialog</name>
    <message>
        <source>Choose the part of the picture</source>
        <translation>选择图片的一部分</translation>
    </message>
    <message>
        <source>Drag the square to move it; drag its corner or turn the wheel to resize it.</source>
        <translation>拖动方框可移动它；拖动其角或滚动滚轮可调整大小。</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>预览：</translation>
    </message>
</context>
<context>
    <name>AvatarService</name>
    <message>
        <source>The picture cannot be used: %1</source>
        <translation>无法使用该图片：%1</translation>
    </message>
    <message>
        <source>Could not remove %1.</source>
        <translation>无法删除 %1。</translation>
    </message>
    <message>
        <source>Could not save the picture to %1: %2</source>
        <translation>无法将图片保存到 %1：%2</translation>
    </message>
</context>
<context>
    <name>AvatarSettings</name>
    <message>
        <source>&amp;Picture…</source>
        <translation>图片(&amp;P)…</translation>
    </message>
    <message>
        <source>Remove picture</source>
        <translation>移除图片</translation>
    </message>
    <message>
        <source>Your picture</source>
        <translation>你的头像</translation>
    </message>
    <message>
        <source>Choose a picture that peers see beside your name</source>
        <translation>选择一张图片，其他用户会在你的名字旁看到它</translation>
    </message>
    <message>
        <source>Choose a picture</source>
        <translation>选择图片</translation>
    </message>
    <message>
        <source>Pictures (%1)</source>
        <translation>图片 (%1)</translation>
    </message>
    <message>
        <source>Picture</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>%1 could not be read as a picture: %2</source>
        <translation>无法将 %1 读取为图片：%2</translation>
    </message>
</context>
<context>
    <name>Avatars</name>
    <message>
        <source>The picture could not be read.</source>
        <translation>无法读取该图片。</translation>
    </message>
    <message>
        <source>The picture could not be written: %1</source>
        <translation>无法写入该图片：%1</translation>
    </message>
    <message>
        <source>The picture cannot be made small enough.</source>
        <translation>无法将该图片缩小到足够小。</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect to peer</source>
        <translation>连接到用户</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>192.168.1.20:%1, alice-laptop or an invite link (shoal:invite?…)</source>
        <translation>192.168.1.20:%1、alice-laptop 或邀请链接（shoal:invite?…）</translation>
    </message>
    <message>
        <source>&amp;Address or invite link:</source>
        <translation>地址或邀请链接(&amp;A)：</translation>
    </message>
    <message>
        <source>Connecting to %1… Shoal keeps trying until %1 answers, also after you close this window.</source>
        <translation>正在连接 %1… 在 %1 应答之前，Shoal 会一直尝试，关闭此窗口后也是如此。</translation>
    </message>
</context>
<context>
    <name>ConnectionRegistry</name>
    <message>
        <source>Cannot listen on %1 port %2: %3</source>
        <translation>无法在 %1 的端口 %2 上监听：%3</translation>
    </message>
    <message>
        <source>Port %1 is in use by another program (or another Shoal); start Shoal with --port and another number, or --port 0 for any free port.</source>
        <translation>端口 %1 已被其他程序（或另一个 Shoal）占用；请用 --port 指定其他端口启动 Shoal，或用 --port 0 任选空闲端口。</translation>
    </message>
</context>
<context>
    <name>ContactEmailDialog</name>
    <message>
        <source>E-mail address of %1</source>
        <translation>%1 的电子邮件地址</translation>
    </message>
    <message>
        <source>When your messages wait too long for %1 (Settings, E-mail notices), Shoal e-mails this address a short notice. Leave it empty for no notices.</source>
        <translation>当你的消息等待 %1 太久时（设置，电子邮件通知），Shoal 会向这个地址发送一条简短通知。留空则不发送通知。</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>&amp;E-mail address:</source>
        <translation>电子邮件地址(&amp;E)：</translation>
    </message>
    <message>
        <source>This does not look like an e-mail address (name@example.com).</source>
        <translation>这看起来不像电子邮件地址（name@example.com）。</translation>
    </message>
    <message>
        <source>The address could not be kept.</source>
        <translation>无法保存该地址。</translation>
    </message>
</context>
<context>
    <name>ConversationPane</name>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Choose a peer on the left, or connect to one with Ctrl+N.</source>
        <translation>请在左侧选择一个用户，或按 Ctrl+N 连接新用户。</translation>
    </message>
    <message>
        <source>%1 — online</source>
        <translation>%1 — 在线</translation>
    </message>
    <message>
        <source>%1 — offline; messages wait until they are back</source>
        <translation>%1 — 离线；消息将在对方上线后送达</translation>
    </message>
    <message>
        <source>ID %1</source>
        <translation>ID %1</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>立即重试</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>%1 — offline, last seen %2; messages wait until they are back</source>
        <translation>%1 — 离线，最后在线 %2；消息将在对方上线后送达</translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation>复制文本</translation>
    </message>
    <message>
        <source>Show whole message…</source>
        <translation>显示完整消息…</translation>
    </message>
    <message>
        <source>Your message to %1</source>
        <translation>你发给 %1 的消息</translation>
    </message>
    <message>
        <source>Message from %1</source>
        <translation>来自 %1 的消息</translation>
    </message>
    <message>
        <source>Copy selection</source>
        <translation>复制所选内容</translation>
    </message>
    <message>
        <source>Send &amp;files…</source>
        <translation>发送文件(&amp;F)…</translation>
    </message>
    <message>
        <source>Send f&amp;older…</source>
        <translation>发送文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>Send files to this peer (or drop them on the conversation)</source>
        <translation>向此用户发送文件（或把文件拖到对话中）</translation>
    </message>
    <message>
        <source>Send a folder with everything in it to this peer</source>
        <translation>向此用户发送一个文件夹及其全部内容</translation>
    </message>
    <message>
        <source>Copy name</source>
        <translation>复制名称</translation>
    </message>
    <message>
        <source>Send files to %1</source>
        <translation>向 %1 发送文件</translation>
    </message>
    <message>
        <source>Send a folder to %1</source>
        <translation>向 %1 发送文件夹</translation>
    </message>
    <message>
        <source>Cannot save the pasted picture: %1 cannot be created.</source>
        <translation>无法保存粘贴的图片：无法创建 %1。</translation>
    </message>
    <message>
        <source>Pasted image %1</source>
        <translation>粘贴的图片 %1</translation>
    </message>
    <message>
        <source>Cannot save the pasted picture in %1. Is the disk full?</source>
        <translation>无法将粘贴的图片保存到 %1。磁盘已满吗？</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>Files go to one peer at a time: open a member&apos;s conversation to send them.</source>
        <translation>文件只能发给单个用户：请打开某位成员的对话来发送。</translation>
    </message>
    <message>
        <source>Message from %1 in %2</source>
        <translation>%1 在 %2 中的消息</translation>
    </message>
    <message>
        <source>A group you are not in</source>
        <translation>你不在其中的群组</translation>
    </message>
    <message>
        <source>%1 — you are no longer a member</source>
        <translation>%1 — 你已不是成员</translation>
    </message>
    <message>
        <source>%1 — %2, %3 online</source>
        <comment>group, members, others online</comment>
        <translation>%1 — %2，%3 人在线</translation>
    </message>
    <message>
        <source>%1 — %2, none online; messages reach them when they next meet any member</source>
        <comment>group, members</comment>
        <translation>%1 — %2，无人在线；成员下次遇到任一成员时会收到消息</translation>
    </message>
    <message>
        <source>Group ID %1</source>
        <translation>群组 ID %1</translation>
    </message>
    <message>
        <source>Network…</source>
        <translation>网络…</translation>
    </message>
    <message>
        <source>Addresses, ports and LAN discovery: why can&apos;t I reach a peer?</source>
        <translation>地址、端口和局域网发现：为什么无法连接到某个用户？</translation>
    </message>
    <message>
        <source>%1 — seen on the network, can&apos;t connect</source>
        <translation>%1 — 在网络中发现，但无法连接</translation>
    </message>
    <message>
        <source>%1 — invited, can&apos;t connect</source>
        <translation>%1 — 已邀请，但无法连接</translation>
    </message>
    <message>
        <source>Seen on the network, can&apos;t connect: %1. Messages wait and will be delivered when %2 can be reached.</source>
        <translation>在网络中发现，但无法连接：%1。消息会等待，在能连接到 %2 时送达。</translation>
    </message>
    <message>
        <source>Can&apos;t connect to the addresses in the invite link: %1. Messages wait and will be delivered when %2 can be reached.</source>
        <translation>无法连接到邀请链接中的地址：%1。消息会等待，在能连接到 %2 时送达。</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <source>Find in &amp;all conversations…</source>
        <translation>在所有会话中查找(&amp;A)…</translation>
    </message>
    <message>
        <source>Jump to newest messages ↓</source>
        <translation>跳到最新消息 ↓</translation>
    </message>
    <message>
        <source>Show the newest messages of this conversation</source>
        <translation>显示此会话的最新消息</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Delete for me…</source>
        <translation>仅为我删除…</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <comment>name, status</comment>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 正在输入…</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <source>Delete this message from your history? %1 keeps their copy; this cannot be undone.</source>
        <translation>从你的历史记录中删除这条消息？%1 仍保留其副本；此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>Courier</name>
    <message>
        <source>%1 is not another peer&apos;s ID.</source>
        <translation>%1 不是另一个用户的 ID。</translation>
    </message>
    <message>
        <source>The setting could not be saved (%1). Check that the profile folder is writable.</source>
        <translation>无法保存该设置（%1）。请检查配置文件夹是否可写。</translation>
    </message>
</context>
<context>
    <name>Dialer</name>
    <message>
        <source>Security warning: an address where %1 was expected answered with another identity and was refused; nothing was sent there. %2</source>
        <translation>安全警告：本应是 %1 的地址以另一个身份应答，已被拒绝；没有向其发送任何内容。%2</translation>
    </message>
</context>
<context>
    <name>DiscoveryService</name>
    <message>
        <source>Cannot use UDP port %1 for discovery: %2. Choose another with --discovery-port.</source>
        <translation>无法使用 UDP 端口 %1 进行发现：%2。请用 --discovery-port 选择其他端口。</translation>
    </message>
    <message>
        <source>Cannot open a UDP socket for discovery: %1</source>
        <translation>无法打开用于发现的 UDP 套接字：%1</translation>
    </message>
</context>
<context>
    <name>EmojiPicker</name>
    <message>
        <source>Smileys &amp; Emotion</source>
        <translation>笑脸与情感</translation>
    </message>
    <message>
        <source>People &amp; Body</source>
        <translation>人物与身体</translation>
    </message>
    <message>
        <source>Animals &amp; Nature</source>
        <translation>动物与自然</translation>
    </message>
    <message>
        <source>Food &amp; Drink</source>
        <translation>食物与饮料</translation>
    </message>
    <message>
        <source>Travel &amp; Places</source>
        <translation>旅行与地点</translation>
    </message>
    <message>
        <source>Activities</source>
        <translation>活动</translation>
    </message>
    <message>
        <source>Objects</source>
        <translation>物品</translation>
    </message>
    <message>
        <source>Symbols</source>
        <translation>符号</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>旗帜</translation>
    </message>
    <message>
        <source>Emoji</source>
        <translation>表情符号</translation>
    </message>
    <message>
        <source>Search emoji</source>
        <translation>搜索表情符号</translation>
    </message>
    <message>
        <source>Recently used</source>
        <translation>最近使用</translation>
    </message>
    <message>
        <source>Insert an emoji</source>
        <translation>插入表情符号</translation>
    </message>
</context>
<context>
    <name>FileItem</name>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message numerus="yes">
        <source>%n s left</source>
        <translation>
            <numerusform>剩余 %n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min left</source>
        <translation>
            <numerusform>剩余 %n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min left</source>
        <translation>剩余 %1 小时 %2 分钟</translation>
    </message>
    <message>
        <source>folder, %1</source>
        <translation>文件夹，%1</translation>
    </message>
    <message>
        <source>1 file</source>
        <translation>1 个文件</translation>
    </message>
    <message numerus="yes">
        <source>%n files</source>
        <translation>
            <numerusform>%n 个文件</numerusform>
        </translation>
    </message>
    <message>
        <source>to %1</source>
        <translation>发给 %1</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>来自 %1</translation>
    </message>
    <message>
        <source>File transfer</source>
        <translation>文件传输</translation>
    </message>
    <message>
        <source>Offered to you</source>
        <translation>对方向你发送</translation>
    </message>
    <message>
        <source>Waiting for the peer to accept</source>
        <translation>等待对方接受</translation>
    </message>
    <message>
        <source>Waiting for the peer to come online</source>
        <translation>等待对方上线</translation>
    </message>
    <message>
        <source>Accepted, waiting its turn</source>
        <translation>已接受，排队等待</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>正在发送</translation>
    </message>
    <message>
        <source>Receiving</source>
        <translation>正在接收</translation>
    </message>
    <message>
        <source>Paused: %1</source>
        <translation>已暂停：%1</translation>
    </message>
    <message>
        <source>Paused by the peer</source>
        <translation>已被对方暂停</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>Received, saved as %1</source>
        <translation>已接收，保存为 %1</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>Declined by the peer</source>
        <translation>已被对方拒绝</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <source>Save “%1” in</source>
        <translation>将“%1”保存到</translation>
    </message>
    <message>
        <source>“%1” is no longer there.</source>
        <translation>“%1”已不存在。</translation>
    </message>
    <message>
        <source>No program could open “%1”.</source>
        <translation>没有程序能打开“%1”。</translation>
    </message>
</context>
<context>
    <name>FileReader</name>
    <message>
        <source>%1 has changed since it was offered, so it was not sent. Offer it again to send it as it is now.</source>
        <translation>%1 在发出后已被修改，因此没有发送。请重新发送，以发送它现在的内容。</translation>
    </message>
    <message>
        <source>%1 is no longer there: it was moved or deleted since it was offered.</source>
        <translation>%1 已不存在：它在发出后被移动或删除了。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Cannot read %1: it is not open.</source>
        <translation>无法读取 %1：它未打开。</translation>
    </message>
    <message>
        <source>Cannot send %1 from byte %L2: it has %L3 bytes.</source>
        <translation>无法从第 %L2 字节开始发送 %1：它只有 %L3 字节。</translation>
    </message>
</context>
<context>
    <name>FileSink</name>
    <message>
        <source>The disk is full: cannot write %1. Free some space, then resume the transfer.</source>
        <translation>磁盘已满：无法写入 %1。请释放一些空间，然后继续传输。</translation>
    </message>
    <message>
        <source>Cannot write %1: the file is larger than the download folder&apos;s file system allows. Choose a download folder on another disk.</source>
        <translation>无法写入 %1：文件大小超过了下载文件夹所在文件系统的限制。请选择其他磁盘上的下载文件夹。</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Cannot save into %1: %2</source>
        <translation>无法保存到 %1：%2</translation>
    </message>
    <message>
        <source>Cannot save into %1: %2 there is not a folder of yours. Remove it, or choose another download folder.</source>
        <translation>无法保存到 %1：那里的 %2 不是你的文件夹。请将其删除，或选择其他下载文件夹。</translation>
    </message>
    <message>
        <source>Cannot create the temporary folder %1: %2</source>
        <translation>无法创建临时文件夹 %1：%2</translation>
    </message>
    <message>
        <source>The partial download in %1 is damaged; cancel the transfer and ask for it again.</source>
        <translation>%1 中未完成的下载已损坏；请取消此传输并重新请求。</translation>
    </message>
    <message>
        <source>Cannot create the folder %1: %2</source>
        <translation>无法创建文件夹 %1：%2</translation>
    </message>
    <message>
        <source>The folder %1 was moved or deleted; the transfer cannot go on without it.</source>
        <translation>文件夹 %1 已被移动或删除；没有它传输无法继续。</translation>
    </message>
    <message>
        <source>Cannot save %1 in %2: too many names like it are taken.</source>
        <translation>无法将 %1 保存到 %2：类似的名称已被占用太多。</translation>
    </message>
    <message>
        <source>Cannot save into %1: it is not a folder but a link or a file. Nothing is written through links.</source>
        <translation>无法保存到 %1：它不是文件夹，而是链接或文件。不会通过链接写入任何内容。</translation>
    </message>
    <message>
        <source>Cannot open the folder %1: %2</source>
        <translation>无法打开文件夹 %1：%2</translation>
    </message>
    <message>
        <source>Cannot save %1: too many names like it are taken.</source>
        <translation>无法保存 %1：类似的名称已被占用太多。</translation>
    </message>
    <message>
        <source>The download into %1 is not ready.</source>
        <translation>下载到 %1 的准备尚未完成。</translation>
    </message>
    <message>
        <source>The sender sent bytes of a file that was not asked for.</source>
        <translation>发送方发来了未请求的文件的数据。</translation>
    </message>
    <message>
        <source>The sender sent bytes of %1 from byte %L2, not where the last ones ended.</source>
        <translation>发送方从第 %L2 字节发来 %1 的数据，而不是接着上次结束的位置。</translation>
    </message>
    <message>
        <source>The sender sent more bytes of %1 than the %L2 it offered.</source>
        <translation>发送方发来的 %1 的数据超过了它提供的 %L2 字节。</translation>
    </message>
    <message>
        <source>The sender ended a file that was not asked for.</source>
        <translation>发送方结束了一个未请求的文件。</translation>
    </message>
    <message>
        <source>The sender ended %1 after %L2 of its %L3 bytes.</source>
        <translation>发送方在 %1 的 %L3 字节中只发了 %L2 字节就结束了它。</translation>
    </message>
    <message>
        <source>%1 did not arrive intact (its SHA-256 checksum differs from the sender&apos;s); its bytes were dropped.</source>
        <translation>%1 到达时已损坏（其 SHA-256 校验和与发送方的不同）；已丢弃其数据。</translation>
    </message>
    <message>
        <source>Not every file is in place yet.</source>
        <translation>还有文件尚未就位。</translation>
    </message>
    <message>
        <source>No download folder is set.</source>
        <translation>未设置下载文件夹。</translation>
    </message>
    <message>
        <source>The folder %1 cannot be made.</source>
        <translation>无法创建文件夹 %1。</translation>
    </message>
    <message>
        <source>Not enough room in %1: %2 needed, %3 free.</source>
        <translation>%1 空间不足：需要 %2，可用 %3。</translation>
    </message>
</context>
<context>
    <name>FileSource</name>
    <message>
        <source>Cannot offer %1: pick the files or folders in it instead.</source>
        <translation>无法发送 %1：请改为选择其中的文件或文件夹。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Cannot read the folder %1: %2</source>
        <translation>无法读取文件夹 %1：%2</translation>
    </message>
    <message>
        <source>Cannot offer %1: its name is not valid text (UTF-8). Rename it, or leave it out.</source>
        <translation>无法发送 %1：它的名称不是有效的文本 (UTF-8)。请重命名或不发送它。</translation>
    </message>
</context>
<context>
    <name>FileTransfers</name>
    <message>
        <source>The peer sent nothing for %1 seconds.</source>
        <translation>对方已有 %1 秒没有发送任何数据。</translation>
    </message>
    <message>
        <source>No such peer.</source>
        <translation>没有这个用户。</translation>
    </message>
    <message>
        <source>Nothing to send.</source>
        <translation>没有要发送的内容。</translation>
    </message>
    <message>
        <source>Pick one folder to send as a folder.</source>
        <translation>请选择一个文件夹作为文件夹发送。</translation>
    </message>
    <message>
        <source>There is nothing to send there.</source>
        <translation>那里没有可发送的内容。</translation>
    </message>
    <message>
        <source>No such offer.</source>
        <translation>没有这个文件提供。</translation>
    </message>
    <message>
        <source>This offer is %1 already.</source>
        <translation>此文件提供已经是 %1 状态。</translation>
    </message>
    <message>
        <source>No such offer waiting.</source>
        <translation>没有等待处理的此文件提供。</translation>
    </message>
    <message>
        <source>No such transfer running.</source>
        <translation>没有正在进行的此传输。</translation>
    </message>
    <message>
        <source>No such transfer paused.</source>
        <translation>没有已暂停的此传输。</translation>
    </message>
    <message>
        <source>No such transfer to cancel.</source>
        <translation>没有可取消的此传输。</translation>
    </message>
    <message>
        <source>The offer has %1 files and folders; at most %2 are taken.</source>
        <translation>该文件提供包含 %1 个文件和文件夹；最多接受 %2 个。</translation>
    </message>
    <message>
        <source>The offer is %1; at most %2 are taken.</source>
        <translation>该文件提供大小为 %1；最多接受 %2。</translation>
    </message>
    <message>
        <source>The offer counts more files than entries.</source>
        <translation>该文件提供中的文件数多于条目数。</translation>
    </message>
    <message>
        <source>The peer says: %1</source>
        <translation>对方说：%1</translation>
    </message>
    <message>
        <source>The peer gave up.</source>
        <translation>对方已放弃。</translation>
    </message>
    <message>
        <source>The list of files offered could not be read from the history.</source>
        <translation>无法从历史记录中读取所提供文件的列表。</translation>
    </message>
    <message>
        <source>The peer asked for a part of the list of files that does not exist.</source>
        <translation>对方请求了文件列表中不存在的部分。</translation>
    </message>
    <message>
        <source>The peer asked for bytes that were not offered.</source>
        <translation>对方请求了未提供的数据。</translation>
    </message>
    <message>
        <source>The peer sent a list of files that does not match its offer.</source>
        <translation>对方发来的文件列表与其提供的不符。</translation>
    </message>
    <message>
        <source>The peer sent data for the wrong file.</source>
        <translation>对方发来了错误文件的数据。</translation>
    </message>
    <message>
        <source>The peer sent data at the wrong place in a file.</source>
        <translation>对方发来的数据位置不对。</translation>
    </message>
    <message>
        <source>The peer sent more bytes than it offered.</source>
        <translation>对方发来的数据多于它提供的。</translation>
    </message>
    <message>
        <source>The peer sent data that was not asked for.</source>
        <translation>对方发来了未请求的数据。</translation>
    </message>
    <message>
        <source>The peer ended a file before all of its bytes came.</source>
        <translation>对方在文件的全部数据到达之前就结束了它。</translation>
    </message>
    <message>
        <source>This transfer ID is taken; offer it again.</source>
        <translation>此传输 ID 已被占用；请重新发送。</translation>
    </message>
    <message>
        <source>Too many transfers from this peer are unfinished (%1).</source>
        <translation>来自此用户的未完成传输太多（%1 个）。</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <source>Find in conversation</source>
        <translation>在会话中查找</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>▲</source>
        <translation>▲</translation>
    </message>
    <message>
        <source>Older match (Enter)</source>
        <translation>较早的匹配（Enter）</translation>
    </message>
    <message>
        <source>Older match</source>
        <translation>较早的匹配</translation>
    </message>
    <message>
        <source>▼</source>
        <translation>▼</translation>
    </message>
    <message>
        <source>Newer match (Shift+Enter)</source>
        <translation>较新的匹配（Shift+Enter）</translation>
    </message>
    <message>
        <source>Newer match</source>
        <translation>较新的匹配</translation>
    </message>
    <message>
        <source>All conversations</source>
        <translation>所有会话</translation>
    </message>
    <message>
        <source>Search every conversation (Ctrl+Shift+F)</source>
        <translation>搜索所有会话（Ctrl+Shift+F）</translation>
    </message>
    <message>
        <source>✕</source>
        <translation>✕</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <source>Close find bar</source>
        <translation>关闭查找栏</translation>
    </message>
    <message>
        <source>Find in all conversations</source>
        <translation>在所有会话中查找</translation>
    </message>
    <message>
        <source>No matches</source>
        <translation>无匹配</translation>
    </message>
    <message>
        <source>%1+ results</source>
        <translation>%1+ 条结果</translation>
    </message>
    <message>
        <source>1 result</source>
        <translation>1 条结果</translation>
    </message>
    <message>
        <source>%1 results</source>
        <translation>%1 条结果</translation>
    </message>
    <message>
        <source>%1 of %2+</source>
        <translation>第 %1 条，共 %2+ 条</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>第 %1 条，共 %2 条</translation>
    </message>
    <message>
        <source>Indexing history… %1%</source>
        <translation>正在为历史记录建立索引… %1%</translation>
    </message>
    <message>
        <source>%1 (indexing history… %2%)</source>
        <translation>%1（正在为历史记录建立索引… %2%）</translation>
    </message>
    <message>
        <source>That message is no longer in the history</source>
        <translation>该消息已不在历史记录中</translation>
    </message>
</context>
<context>
    <name>GroupService</name>
    <message>
        <source>%1 is not a peer ID.</source>
        <translation>%1 不是用户 ID。</translation>
    </message>
    <message>
        <source>Shoal has not met peer %1 yet; connect to it once first.</source>
        <translation>Shoal 尚未见过用户 %1；请先连接一次。</translation>
    </message>
    <message>
        <source>Unknown group %1.</source>
        <translation>未知群组 %1。</translation>
    </message>
    <message>
        <source>This profile is no longer a member of that group.</source>
        <translation>此配置文件已不是该群组的成员。</translation>
    </message>
    <message>
        <source>A group needs a name.</source>
        <translation>群组需要一个名称。</translation>
    </message>
    <message>
        <source>A group&apos;s name may be %1 characters long at most.</source>
        <translation>群组名称最多 %1 个字符。</translation>
    </message>
    <message>
        <source>The message is too long.</source>
        <translation>消息太长。</translation>
    </message>
    <message>
        <source>The message could not be signed with this profile&apos;s key.</source>
        <translation>无法用此配置文件的密钥签名该消息。</translation>
    </message>
    <message>
        <source>This profile already knows %1 groups, the most it keeps.</source>
        <translation>此配置文件已有 %1 个群组，已达上限。</translation>
    </message>
    <message>
        <source>A group may have %1 members at most.</source>
        <translation>一个群组最多有 %1 名成员。</translation>
    </message>
    <message>
        <source>They are members already.</source>
        <translation>他们已经是成员了。</translation>
    </message>
    <message>
        <source>Only the group&apos;s creator may remove members.</source>
        <translation>只有群组的创建者可以移除成员。</translation>
    </message>
    <message>
        <source>%1 is not another member of this group.</source>
        <translation>%1 不是此群组的其他成员。</translation>
    </message>
    <message>
        <source>The message is empty.</source>
        <translation>消息为空。</translation>
    </message>
    <message>
        <source>The message is %1 KiB long; the limit is %2 KiB. Split it into shorter messages.</source>
        <translation>消息长 %1 KiB，上限为 %2 KiB。请拆分成较短的消息。</translation>
    </message>
</context>
<context>
    <name>GroupText</name>
    <message>
        <source>1 member</source>
        <translation>1 名成员</translation>
    </message>
    <message numerus="yes">
        <source>%n members</source>
        <translation>
            <numerusform>%n 名成员</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 and %2</source>
        <comment>the last two names of a list</comment>
        <translation>%1和%2</translation>
    </message>
    <message>
        <source>, </source>
        <comment>between names of a list</comment>
        <translation>、</translation>
    </message>
    <message>
        <source>you</source>
        <comment>as in &apos;Alice added you&apos;</comment>
        <translation>你</translation>
    </message>
    <message>
        <source>You created the group “%1”</source>
        <translation>你创建了群组“%1”</translation>
    </message>
    <message>
        <source>You created the group “%1” with %2</source>
        <translation>你与%2创建了群组“%1”</translation>
    </message>
    <message>
        <source>%1 created the group “%2”</source>
        <translation>%1 创建了群组“%2”</translation>
    </message>
    <message>
        <source>%1 created the group “%2” with %3</source>
        <translation>%1 与%3创建了群组“%2”</translation>
    </message>
    <message>
        <source>You added %1</source>
        <translation>你添加了%1</translation>
    </message>
    <message>
        <source>%1 added %2</source>
        <translation>%1 添加了%2</translation>
    </message>
    <message>
        <source>You removed %1</source>
        <translation>你移除了%1</translation>
    </message>
    <message>
        <source>%1 removed %2</source>
        <translation>%1 移除了%2</translation>
    </message>
    <message>
        <source>You left the group</source>
        <translation>你退出了群组</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>%1 退出了群组</translation>
    </message>
    <message>
        <source>You renamed the group to “%1”</source>
        <translation>你将群组改名为“%1”</translation>
    </message>
    <message>
        <source>%1 renamed the group to “%2”</source>
        <translation>%1 将群组改名为“%2”</translation>
    </message>
    <message>
        <source>The group changed</source>
        <translation>群组有变动</translation>
    </message>
    <message>
        <source>sent</source>
        <comment>a group message when no one else is left in the group</comment>
        <translation>已发送</translation>
    </message>
    <message>
        <source>delivered to %1 of %2</source>
        <translation>已送达 %1/%2</translation>
    </message>
    <message>
        <source>read by %1 · delivered to %2 of %3</source>
        <translation>%1 人已读 · 已送达 %2/%3</translation>
    </message>
    <message>
        <source>read by %1</source>
        <translation>%1 人已读</translation>
    </message>
    <message>
        <source>Read by: %1</source>
        <translation>已读：%1</translation>
    </message>
    <message>
        <source>Delivered to: %1</source>
        <translation>已送达：%1</translation>
    </message>
    <message>
        <source>Waiting for: %1</source>
        <translation>等待中：%1</translation>
    </message>
</context>
<context>
    <name>Identity</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>The stored identity is unreadable.</source>
        <translation>保存的身份无法读取。</translation>
    </message>
    <message>
        <source>The stored private key does not belong to the stored certificate.</source>
        <translation>保存的私钥与保存的证书不匹配。</translation>
    </message>
    <message>
        <source>Cannot use the identity in %1: %2 Move the folder aside to start with a new identity (peers will see a new ID), or restore it from a backup.</source>
        <translation>无法使用 %1 中的身份：%2 请把该文件夹移到别处以新身份启动（其他人会看到新的 ID），或从备份恢复。</translation>
    </message>
    <message>
        <source>%1 is there but its private key %2 is missing.</source>
        <translation>%1 存在，但它的私钥 %2 缺失。</translation>
    </message>
    <message>
        <source>The files cannot be read.</source>
        <translation>这些文件无法读取。</translation>
    </message>
    <message>
        <source>The profile folder %1 does not exist.</source>
        <translation>配置文件夹 %1 不存在。</translation>
    </message>
</context>
<context>
    <name>InviteLink</name>
    <message>
        <source>This is not a Shoal invite link.</source>
        <translation>这不是 Shoal 邀请链接。</translation>
    </message>
    <message>
        <source>This invite link is damaged or incomplete; copy all of it again, or ask for a new one.</source>
        <translation>此邀请链接已损坏或不完整；请重新完整复制，或索要一个新链接。</translation>
    </message>
    <message>
        <source>This invite link is from a newer Shoal; update Shoal to use it.</source>
        <translation>此邀请链接来自更新版本的 Shoal；请更新 Shoal 后再使用。</translation>
    </message>
</context>
<context>
    <name>InviteQrDialog</name>
    <message>
        <source>&amp;Copy link</source>
        <translation>复制链接(&amp;C)</translation>
    </message>
    <message>
        <source>Your invite</source>
        <translation>你的邀请</translation>
    </message>
    <message>
        <source>Whoever scans this code, or pastes the link below in Shoal&apos;s Connect dialog, reaches you; your key&apos;s fingerprint in it proves it is you.</source>
        <translation>任何人扫描此二维码，或将下面的链接粘贴到 Shoal 的连接对话框中，即可连接到你；其中你的密钥指纹可以证明是你本人。</translation>
    </message>
    <message>
        <source>Invite QR code</source>
        <translation>邀请二维码</translation>
    </message>
    <message>
        <source>Invite link</source>
        <translation>邀请链接</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>IpmsgFiles</name>
    <message>
        <source>IP Messenger is off: SHOAL_LOOPBACK_ONLY is set.</source>
        <translation>IP Messenger 已关闭：设置了 SHOAL_LOOPBACK_ONLY。</translation>
    </message>
    <message>
        <source>Port %1 (TCP) is in use by another program (another IP Messenger, or a second Shoal); IP Messenger users cannot fetch your files.</source>
        <translation>端口 %1（TCP）已被其他程序占用（另一个 IP Messenger 或第二个 Shoal）；IP Messenger 用户无法获取你的文件。</translation>
    </message>
    <message>
        <source>IP Messenger was turned off.</source>
        <translation>IP Messenger 已关闭。</translation>
    </message>
    <message>
        <source>%1 is a folder: folders from IP Messenger users cannot be received yet. Ask for the files, or an archive of them.</source>
        <translation>%1 是文件夹：暂时无法接收来自 IP Messenger 用户的文件夹。请对方发送其中的文件或压缩包。</translation>
    </message>
    <message>
        <source>%1 is not a regular file; only files can be received.</source>
        <translation>%1 不是普通文件；只能接收文件。</translation>
    </message>
    <message>
        <source>Declined.</source>
        <translation>已拒绝。</translation>
    </message>
    <message>
        <source>They gave up the download at %L1 of %L2 bytes.</source>
        <translation>对方在 %L1 / %L2 字节处放弃了下载。</translation>
    </message>
    <message>
        <source>The sender withdrew the offer.</source>
        <translation>发送方撤回了这次发送。</translation>
    </message>
    <message>
        <source>No such offer.</source>
        <translation>没有这个文件请求。</translation>
    </message>
    <message>
        <source>This offer is %1 already.</source>
        <translation>这次发送已经是%1状态。</translation>
    </message>
    <message>
        <source>No such transfer.</source>
        <translation>没有这个传输。</translation>
    </message>
    <message>
        <source>This transfer is %1 already.</source>
        <translation>这个传输已经是%1状态。</translation>
    </message>
    <message>
        <source>The sender stopped sending.</source>
        <translation>发送方停止了发送。</translation>
    </message>
    <message>
        <source>The sender could not be reached.</source>
        <translation>无法连接发送方。</translation>
    </message>
    <message>
        <source>The connection to the sender failed: %1</source>
        <translation>与发送方的连接失败：%1</translation>
    </message>
    <message>
        <source>The sender sent more than the %L1 bytes of %2 it offered; the file was dropped.</source>
        <translation>发送方发送的数据超过了 %2 所提供的 %L1 字节；该文件已丢弃。</translation>
    </message>
    <message>
        <source>The sender closed the connection after %L1 of %L2 bytes; the partial file was removed.</source>
        <translation>发送方在 %L1 / %L2 字节后关闭了连接；未完成的文件已删除。</translation>
    </message>
    <message>
        <source>This IP Messenger user is not online: IP Messenger users can only fetch files while both of you are.</source>
        <translation>该 IP Messenger 用户不在线：只有双方都在线时，IP Messenger 用户才能获取文件。</translation>
    </message>
    <message>
        <source>%1 is not online: IP Messenger users can only fetch files while both of you are.</source>
        <translation>%1 不在线：只有双方都在线时，IP Messenger 用户才能获取文件。</translation>
    </message>
    <message>
        <source>Files cannot be sent to IP Messenger users: their file server is not running.</source>
        <translation>无法向 IP Messenger 用户发送文件：文件服务未运行。</translation>
    </message>
    <message>
        <source>Nothing to send.</source>
        <translation>没有要发送的内容。</translation>
    </message>
    <message>
        <source>Too many files are offered already; cancel some first.</source>
        <translation>已提供的文件太多；请先取消一些。</translation>
    </message>
    <message>
        <source>%1 is a folder: folders cannot be sent to IP Messenger users yet. Send the files, or an archive of them.</source>
        <translation>%1 是文件夹：暂时无法向 IP Messenger 用户发送文件夹。请发送其中的文件或压缩包。</translation>
    </message>
    <message>
        <source>%1 is not a file.</source>
        <translation>%1 不是文件。</translation>
    </message>
    <message>
        <source>%1 cannot be read.</source>
        <translation>无法读取 %1。</translation>
    </message>
    <message>
        <source>The offer could not be sent to this IP Messenger user.</source>
        <translation>无法向该 IP Messenger 用户发送文件请求。</translation>
    </message>
    <message>
        <source>Not downloaded in time; the offer was withdrawn. Send it again if needed.</source>
        <translation>未及时下载；已撤回发送。如有需要请重新发送。</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 became shorter while it was being sent.</source>
        <translation>%1 在发送过程中变短了。</translation>
    </message>
    <message>
        <source>The download stopped at %L1 of %L2 bytes.</source>
        <translation>下载在 %L1 / %L2 字节处停止。</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n more file(s) of the same offer refused too)</source>
        <translation>
            <numerusform>%1（同一发送中另有 %n 个文件也被拒绝）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IpmsgText</name>
    <message>
        <source>IP Messenger</source>
        <comment>the peer list&apos;s badge of an IP Messenger / FeiQ / iptux user</comment>
        <translation>IP Messenger</translation>
    </message>
    <message>
        <source>IP Messenger user — messages are not encrypted and the sender is not verified.</source>
        <translation>IP Messenger 用户——消息未加密，发送者未经验证。</translation>
    </message>
    <message>
        <source>Group: %1</source>
        <translation>分组：%1</translation>
    </message>
    <message>
        <source>Address: %1</source>
        <translation>地址：%1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <comment>IP Messenger user&apos;s name, its group</comment>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 — IP Messenger — not encrypted, not verified</source>
        <translation>%1 — IP Messenger — 未加密，未验证</translation>
    </message>
    <message>
        <source>%1 — IP Messenger, offline; messages wait until they are back — not encrypted, not verified</source>
        <translation>%1 — IP Messenger，离线；消息将在对方回来后送达 — 未加密，未验证</translation>
    </message>
    <message>
        <source>IP Messenger, not encrypted, not verified</source>
        <translation>IP Messenger，未加密，未验证</translation>
    </message>
    <message>
        <source>IP Messenger: off</source>
        <translation>IP Messenger：关闭</translation>
    </message>
    <message>
        <source>IP Messenger: on, port %1</source>
        <translation>IP Messenger：开启，端口 %1</translation>
    </message>
    <message>
        <source>IP Messenger: not available — %1</source>
        <translation>IP Messenger：不可用 — %1</translation>
    </message>
    <message>
        <source>IP Messenger: starting…</source>
        <translation>IP Messenger：正在启动…</translation>
    </message>
    <message>
        <source>Talk to IP Messenger, FeiQ and iptux users on the LAN</source>
        <translation>与局域网中的 IP Messenger、飞秋和 iptux 用户通信</translation>
    </message>
    <message>
        <source>They see your name and status; messages to them are not encrypted.</source>
        <translation>他们能看到你的名字和状态；发给他们的消息不加密。</translation>
    </message>
</context>
<context>
    <name>IpmsgTransport</name>
    <message>
        <source>%1 [Away: %2]</source>
        <translation>%1 [离开：%2]</translation>
    </message>
    <message>
        <source>%1 [Away]</source>
        <translation>%1 [离开]</translation>
    </message>
    <message>
        <source>%1 [Busy: %2]</source>
        <translation>%1 [忙碌：%2]</translation>
    </message>
    <message>
        <source>%1 [Busy]</source>
        <translation>%1 [忙碌]</translation>
    </message>
    <message>
        <source>The IP Messenger user did not acknowledge a message; it is probably offline.</source>
        <translation>该 IP Messenger 用户没有确认收到消息；对方可能已离线。</translation>
    </message>
    <message>
        <source>No IP Messenger user answered at that address.</source>
        <translation>该地址没有 IP Messenger 用户应答。</translation>
    </message>
    <message>
        <source>The IP Messenger user quit.</source>
        <translation>该 IP Messenger 用户已退出。</translation>
    </message>
    <message>
        <source>IP Messenger is off: SHOAL_LOOPBACK_ONLY is set, and IP Messenger traffic must not leave this host.</source>
        <translation>IP Messenger 已关闭：设置了 SHOAL_LOOPBACK_ONLY，IP Messenger 的流量不得离开本机。</translation>
    </message>
    <message>
        <source>Port %1 is in use by another program (another IP Messenger, or a second Shoal): IP Messenger users will not see you.</source>
        <translation>端口 %1 已被其他程序占用（另一个 IP Messenger 或第二个 Shoal）：IP Messenger 用户将看不到你。</translation>
    </message>
    <message>
        <source>IP Messenger was turned off.</source>
        <translation>IP Messenger 已关闭。</translation>
    </message>
    <message>
        <source>Not an IPv4 address: %1</source>
        <translation>不是 IPv4 地址：%1</translation>
    </message>
    <message>
        <source>%1 is not where that IP Messenger user was.</source>
        <translation>%1 不是该 IP Messenger 用户所在的地址。</translation>
    </message>
    <message>
        <source>IP Messenger is not running.</source>
        <translation>IP Messenger 未运行。</translation>
    </message>
    <message>
        <source>Only loopback addresses may be dialled.</source>
        <translation>只能连接回环地址。</translation>
    </message>
</context>
<context>
    <name>Keyring</name>
    <message>
        <source>No keyring is available to keep the password; start the desktop&apos;s keyring (GNOME Keyring or KWallet) and enter it again (%1).</source>
        <translation>没有可用的密钥环来保存密码；请启动桌面的密钥环（GNOME Keyring 或 KWallet）后重新输入（%1）。</translation>
    </message>
    <message>
        <source>The keyring refused to keep the password (%1).</source>
        <translation>密钥环拒绝保存密码（%1）。</translation>
    </message>
    <message>
        <source>The keyring could not be read (%1).</source>
        <translation>无法读取密钥环（%1）。</translation>
    </message>
</context>
<context>
    <name>MailMessage</name>
    <message>
        <source>Not an e-mail address: %1</source>
        <translation>不是电子邮件地址：%1</translation>
    </message>
</context>
<context>
    <name>MailNotices</name>
    <message>
        <source>A Shoal contact</source>
        <translation>一位 Shoal 联系人</translation>
    </message>
    <message>
        <source>%1 (Shoal)</source>
        <translation>%1（Shoal）</translation>
    </message>
    <message numerus="yes">
        <source>%1 sent you %n message(s) in Shoal</source>
        <translation>
            <numerusform>%1 在 Shoal 中给你发了 %n 条消息</numerusform>
        </translation>
    </message>
    <message>
        <source>To read them, open Shoal while %1 is online on your network: they arrive then (or sooner, through a contact you both allow to hold messages).</source>
        <translation>要阅读这些消息，请在 %1 在你的网络上在线时打开 Shoal：消息会在那时送达（如果你们都允许某位联系人代存消息，也可能更早送达）。</translation>
    </message>
    <message>
        <source>The messages:</source>
        <translation>消息：</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more.</source>
        <translation>
            <numerusform>……还有 %n 条。</numerusform>
        </translation>
    </message>
    <message>
        <source>Sent by %1&apos;s Shoal because these messages waited for you longer than %1 chose.</source>
        <translation>这封邮件由 %1 的 Shoal 发送，因为这些消息等待你的时间超过了 %1 设定的时长。</translation>
    </message>
</context>
<context>
    <name>MailProfile</name>
    <message>
        <source>Cannot save %1.</source>
        <translation>无法保存 %1。</translation>
    </message>
</context>
<context>
    <name>MailSettings</name>
    <message>
        <source>Enter the mail server&apos;s host name or address (such as smtp.example.com).</source>
        <translation>请输入邮件服务器的主机名或地址（例如 smtp.example.com）。</translation>
    </message>
    <message>
        <source>Enter the mail server&apos;s port (587 for STARTTLS, 465 for TLS).</source>
        <translation>请输入邮件服务器的端口（STARTTLS 用 587，TLS 用 465）。</translation>
    </message>
    <message>
        <source>Enter the address notices are sent from (such as alice@example.com).</source>
        <translation>请输入发送通知所用的地址（例如 alice@example.com）。</translation>
    </message>
    <message>
        <source>The user name cannot contain control characters.</source>
        <translation>用户名不能包含控制字符。</translation>
    </message>
    <message>
        <source>The user name is too long.</source>
        <translation>用户名太长。</translation>
    </message>
    <message>
        <source>Without TLS the password would cross the network in clear text; choose STARTTLS or TLS.</source>
        <translation>不使用 TLS 时，密码会以明文在网络上传输；请选择 STARTTLS 或 TLS。</translation>
    </message>
    <message>
        <source>The wait before a notice must be between 1 second and 30 days.</source>
        <translation>发送通知前的等待时间必须在 1 秒到 30 天之间。</translation>
    </message>
</context>
<context>
    <name>MailSettingsBox</name>
    <message>
        <source>E-mail a contact when my messages wait too long</source>
        <translation>当我的消息等待太久时给联系人发电子邮件</translation>
    </message>
    <message>
        <source>Put the messages&apos; text in the e-mail</source>
        <translation>在邮件中附上消息正文</translation>
    </message>
    <message>
        <source>When a message has waited this long for a contact who has an e-mail address (the contact&apos;s menu: E-mail address…), Shoal sends that address a short notice through your mail server: &quot;Alice sent you 3 messages in Shoal&quot;.</source>
        <translation>当一条消息等待某位有电子邮件地址的联系人（联系人菜单：电子邮件地址…）达到这么长时间，Shoal 会通过你的邮件服务器向该地址发送一条简短通知：“Alice 在 Shoal 中给你发了 3 条消息”。</translation>
    </message>
    <message>
        <source>smtp.example.com</source>
        <translation>smtp.example.com</translation>
    </message>
    <message>
        <source>None (not encrypted)</source>
        <translation>无（不加密）</translation>
    </message>
    <message>
        <source>STARTTLS</source>
        <translation>STARTTLS</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>none: the server asks for no login</source>
        <translation>无：服务器不要求登录</translation>
    </message>
    <message>
        <source>unchanged (kept in the keyring)</source>
        <translation>未更改（保存在密钥环中）</translation>
    </message>
    <message>
        <source>Kept in your desktop&apos;s keyring, never in Shoal&apos;s files. Type a new one to replace it; clear the field to remove it.</source>
        <translation>保存在桌面的密钥环中，绝不写入 Shoal 的文件。输入新密码即可替换；清空此栏则删除密码。</translation>
    </message>
    <message>
        <source>you@example.com</source>
        <translation>you@example.com</translation>
    </message>
    <message>
        <source> hours</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>Off: the e-mail only says how many messages wait, and who sent them. E-mail is not encrypted like Shoal&apos;s messages.</source>
        <translation>关闭时：邮件只说明有多少条消息在等待以及发送者是谁。电子邮件不像 Shoal 的消息那样加密。</translation>
    </message>
    <message>
        <source>Mail &amp;server:</source>
        <translation>邮件服务器(&amp;S)：</translation>
    </message>
    <message>
        <source>P&amp;ort:</source>
        <translation>端口(&amp;O)：</translation>
    </message>
    <message>
        <source>Se&amp;curity:</source>
        <translation>安全(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <source>&amp;From address:</source>
        <translation>发件地址(&amp;F)：</translation>
    </message>
    <message>
        <source>After &amp;waiting:</source>
        <translation>等待时长(&amp;W)：</translation>
    </message>
    <message>
        <source>Saving the password in the keyring…</source>
        <translation>正在把密码保存到密钥环…</translation>
    </message>
    <message>
        <source>The password was not saved: %1</source>
        <translation>密码未保存：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Connect to peer…</source>
        <translation>连接到用户(&amp;C)…</translation>
    </message>
    <message>
        <source>Shoal</source>
        <translation>Shoal</translation>
    </message>
    <message>
        <source>Connect to a peer by address (Ctrl+N)</source>
        <translation>按地址连接用户 (Ctrl+N)</translation>
    </message>
    <message>
        <source>Copy my &amp;ID</source>
        <translation>复制我的 ID(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Shoal</source>
        <translation>Shoal(&amp;S)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>%1 · ID %2 · listening on %3</source>
        <translation>%1 · ID %2 · 监听于 %3</translation>
    </message>
    <message>
        <source>Your ID is on the clipboard.</source>
        <translation>你的 ID 已复制到剪贴板。</translation>
    </message>
    <message>
        <source>&amp;Network…</source>
        <translation>网络(&amp;N)…</translation>
    </message>
    <message>
        <source>Addresses, ports and LAN discovery: why can&apos;t I see a peer?</source>
        <translation>地址、端口和局域网发现：为什么看不到某个用户？</translation>
    </message>
    <message>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <source>Identity mismatch</source>
        <translation>身份不符</translation>
    </message>
    <message>
        <source>Another computer answered at %1&apos;s address. Nothing was sent to it.</source>
        <translation>另一台计算机在 %1 的地址上作了应答。没有向它发送任何内容。</translation>
    </message>
    <message>
        <source>&amp;About Shoal</source>
        <translation>关于 Shoal(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>About Shoal</source>
        <translation>关于 Shoal</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Shoal %1&lt;/h3&gt;&lt;p&gt;Chat on the local network, without a server.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Shoal %1&lt;/h3&gt;&lt;p&gt;局域网聊天，无需服务器。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Licence: GNU General Public License, version 3 or later (GPL-3.0-or-later).&lt;/p&gt;&lt;p&gt;Built with Qt %1, running on Qt %2.&lt;/p&gt;</source>
        <translation>&lt;p&gt;许可证：GNU 通用公共许可证第 3 版或更高版本（GPL-3.0-or-later）。&lt;/p&gt;&lt;p&gt;使用 Qt %1 构建，运行于 Qt %2。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Transfers</source>
        <translation>传输(&amp;T)</translation>
    </message>
    <message>
        <source>Every file transfer, running ones first (Ctrl+Shift+T)</source>
        <translation>所有文件传输，进行中的在前 (Ctrl+Shift+T)</translation>
    </message>
    <message>
        <source>&amp;Files</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Always accept files from this peer</source>
        <translation>总是接受此用户的文件(&amp;A)</translation>
    </message>
    <message>
        <source>Their files are saved in the download folder without asking</source>
        <translation>其文件将直接保存到下载文件夹，不再询问</translation>
    </message>
    <message>
        <source>New &amp;group…</source>
        <translation>新建群组(&amp;G)…</translation>
    </message>
    <message>
        <source>Send to se&amp;veral…</source>
        <translation>群发(&amp;V)…</translation>
    </message>
    <message>
        <source>A group chat with peers you know (Ctrl+G)</source>
        <translation>与认识的用户群聊 (Ctrl+G)</translation>
    </message>
    <message>
        <source>One message to each of several peers (select them with Ctrl+click or Shift+click)</source>
        <translation>给多个用户各发一条消息（用 Ctrl+单击或 Shift+单击选择）</translation>
    </message>
    <message>
        <source>Sent to 1 peer.</source>
        <translation>已发送给 1 个用户。</translation>
    </message>
    <message numerus="yes">
        <source>Sent to %n peers.</source>
        <translation>
            <numerusform>已发送给 %n 个用户。</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Leave group…</source>
        <translation>退出群组(&amp;L)…</translation>
    </message>
    <message>
        <source>Copy invite &amp;link</source>
        <translation>复制邀请链接(&amp;L)</translation>
    </message>
    <message>
        <source>Show invite QR co&amp;de…</source>
        <translation>显示邀请二维码(&amp;D)…</translation>
    </message>
    <message>
        <source>A link to send someone (mail, chat): pasted in their Shoal, it connects to you</source>
        <translation>发送给他人的链接（邮件、聊天）：粘贴到对方的 Shoal 中即可连接到你</translation>
    </message>
    <message>
        <source>Your invite link is on the clipboard: send it to someone to connect.</source>
        <translation>你的邀请链接已复制到剪贴板：发送给他人即可连接。</translation>
    </message>
    <message>
        <source>&amp;Don&apos;t share this contact&apos;s address</source>
        <translation>不共享此联系人的地址(&amp;D)</translation>
    </message>
    <message>
        <source>Peer exchange never tells your other contacts where this one is</source>
        <translation>节点交换永远不会把此联系人的位置告诉你的其他联系人</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>%1 was e-mailed that 1 message waits for them.</source>
        <translation>已发邮件告诉 %1 有 1 条消息在等待。</translation>
    </message>
    <message numerus="yes">
        <source>%1 was e-mailed that %n messages wait for them.</source>
        <translation>
            <numerusform>已发邮件告诉 %1 有 %n 条消息在等待。</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not e-mail %1 a notice: %2 Shoal tries again later; see Settings, E-mail notices.</source>
        <translation>无法给 %1 发送通知邮件：%2 Shoal 稍后会重试；请查看设置中的电子邮件通知。</translation>
    </message>
    <message>
        <source>Where Shoal sends %1 a notice when your messages wait too long (Settings, E-mail notices)</source>
        <translation>当你的消息等待太久时，Shoal 向 %1 发送通知的地址（设置，电子邮件通知）</translation>
    </message>
    <message>
        <source>Could not change who passes on your messages: %1</source>
        <translation>无法更改由谁转发你的消息：%1</translation>
    </message>
    <message>
        <source>Could not change who keeps your messages: %1</source>
        <translation>无法更改由谁代存你的消息：%1</translation>
    </message>
    <message>
        <source>%1 may now pass on your messages, and you theirs.</source>
        <translation>%1 现在可以转发你的消息，你也可以转发他的。</translation>
    </message>
    <message>
        <source>%1 no longer passes on your messages, nor you theirs.</source>
        <translation>%1 不再转发你的消息，你也不再转发他的。</translation>
    </message>
    <message>
        <source>%1 may now keep your messages for people who are away, and you theirs.</source>
        <translation>%1 现在可以为离开的人代存你的消息，你也可以代存他的。</translation>
    </message>
    <message>
        <source>%1 no longer keeps your messages, nor you theirs.</source>
        <translation>%1 不再代存你的消息，你也不再代存他的。</translation>
    </message>
</context>
<context>
    <name>MembersPanel</name>
    <message>
        <source>&amp;Add members…</source>
        <translation>添加成员(&amp;A)…</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <source>Re&amp;name…</source>
        <translation>改名(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Leave group…</source>
        <translation>退出群组(&amp;L)…</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Only the group&apos;s creator can remove members</source>
        <translation>只有群组的创建者可以移除成员</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1（你）</translation>
    </message>
    <message>
        <source>%1 · owner</source>
        <comment>a member who created the group</comment>
        <translation>%1 · 群主</translation>
    </message>
    <message>
        <source>%1, online</source>
        <translation>%1，在线</translation>
    </message>
    <message>
        <source>%1, offline</source>
        <translation>%1，离线</translation>
    </message>
    <message>
        <source>ID %1</source>
        <translation>ID %1</translation>
    </message>
    <message>
        <source>You are no longer a member of this group.</source>
        <translation>你已不是此群组的成员。</translation>
    </message>
    <message>
        <source>Add members to %1</source>
        <translation>向 %1 添加成员</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Peers you know who are not in the group:</source>
        <translation>你认识但不在群组中的用户：</translation>
    </message>
    <message>
        <source>Everyone you know is in the group already.</source>
        <translation>你认识的用户都已在群组中。</translation>
    </message>
    <message>
        <source>Remove member</source>
        <translation>移除成员</translation>
    </message>
    <message>
        <source>Remove %1 from “%2”?</source>
        <translation>要将 %1 移出“%2”吗？</translation>
    </message>
    <message>
        <source>They keep what was said so far, but get nothing new.</source>
        <translation>对方保留已有的消息，但不会再收到新消息。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Rename group</source>
        <translation>群组改名</translation>
    </message>
    <message>
        <source>New name (every member sees it):</source>
        <translation>新名称（所有成员可见）：</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>改名</translation>
    </message>
    <message>
        <source>Leave group</source>
        <translation>退出群组</translation>
    </message>
    <message>
        <source>Leave “%1”?</source>
        <translation>要退出“%1”吗？</translation>
    </message>
    <message>
        <source>You keep what was said so far, but get nothing new unless a member adds you again.</source>
        <translation>你保留已有的消息，但除非有成员再次添加你，否则不会再收到新消息。</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>sent ✓</source>
        <translation>已发送 ✓</translation>
    </message>
    <message>
        <source>delivered ✓✓</source>
        <translation>已送达 ✓✓</translation>
    </message>
    <message>
        <source>read ✓✓</source>
        <translation>已读 ✓✓</translation>
    </message>
    <message>
        <source>not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>%1 by the sender&apos;s clock, arrived %2</source>
        <translation>发送方时钟 %1，到达于 %2</translation>
    </message>
    <message numerus="yes">
        <source>Shortened: double-click to read all %Ln characters, right-click to copy</source>
        <comment>under a message too long or too heavy to show whole</comment>
        <translation>
            <numerusform>已缩略：双击阅读全部 %Ln 个字符，右键复制</numerusform>
        </translation>
    </message>
    <message>
        <source>You, %1, %2: %3</source>
        <comment>sender, time, delivery state: text</comment>
        <translation>你，%1，%2：%3</translation>
    </message>
    <message>
        <source>%1, %2: %3</source>
        <comment>sender, time: text</comment>
        <translation>%1，%2：%3</translation>
    </message>
    <message>
        <source>You sent a file: %1</source>
        <translation>你发送了一个文件：%1</translation>
    </message>
    <message>
        <source>%1 sent a file: %2</source>
        <translation>%1 发送了一个文件：%2</translation>
    </message>
    <message>
        <source>Original message not available</source>
        <translation>原消息不可用</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
</context>
<context>
    <name>MessageInput</name>
    <message>
        <source>Write a message… (Enter sends, Shift+Enter adds a line)</source>
        <translation>输入消息…（Enter 发送，Shift+Enter 换行）</translation>
    </message>
</context>
<context>
    <name>MessageStore</name>
    <message>
        <source>The history was written by a newer Shoal (schema %1; this one knows up to %2). Update Shoal.</source>
        <translation>聊天记录由较新版本的 Shoal 写入（结构版本 %1；本版本最高支持 %2）。请升级 Shoal。</translation>
    </message>
    <message>
        <source>Could not save to the history: %1. Free some disk space: messages you write are marked &quot;not saved&quot; until you retry them; messages to you are fetched again by themselves.</source>
        <translation>无法保存到历史记录：%1。请释放一些磁盘空间：你写的消息会标为“未保存”，直到你重试；发给你的消息会自动重新获取。</translation>
    </message>
    <message>
        <source>Cannot open the history %1. Check that the folder can be written.</source>
        <translation>无法打开聊天记录 %1。请检查该文件夹是否可写。</translation>
    </message>
    <message>
        <source>the disk is full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>the disk reported an error (full, removed, or failing)</source>
        <translation>磁盘报告了错误（已满、已移除或出现故障）</translation>
    </message>
    <message>
        <source>the history file cannot be written</source>
        <translation>无法写入历史记录文件</translation>
    </message>
    <message>
        <source>the history file is damaged</source>
        <translation>历史记录文件已损坏</translation>
    </message>
    <message>
        <source>the history file is in use by another program</source>
        <translation>历史记录文件正被其他程序使用</translation>
    </message>
</context>
<context>
    <name>MessageText</name>
    <message>
        <source>[combined characters hidden: %L1]</source>
        <comment>shown after a character carrying too many combining marks or joined emoji; they are hidden, the message keeps them</comment>
        <translation>[已隐藏组合字符：%L1]</translation>
    </message>
</context>
<context>
    <name>MessageViewer</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Message text</source>
        <translation>消息文本</translation>
    </message>
    <message numerus="yes">
        <source>%Ln characters</source>
        <translation>
            <numerusform>%Ln 个字符</numerusform>
        </translation>
    </message>
    <message>
        <source>Copy puts the exact text on the clipboard.</source>
        <translation>“复制”会把原文一字不差地放到剪贴板。</translation>
    </message>
</context>
<context>
    <name>Messenger</name>
    <message>
        <source>Unknown peer %1. Connect to it first.</source>
        <translation>未知用户 %1。请先连接。</translation>
    </message>
    <message>
        <source>The history file %1 is damaged (%2). Shoal goes on using it as it is; some messages may be missing. Keep a copy of the file before anything else.</source>
        <translation>历史文件 %1 已损坏（%2）。Shoal 会照常继续使用它，部分消息可能缺失。请先备份该文件。</translation>
    </message>
    <message>
        <source>Unknown message %1 in this conversation.</source>
        <translation>此对话中找不到消息 %1。</translation>
    </message>
    <message>
        <source>Pick at least one peer.</source>
        <translation>请至少选择一个用户。</translation>
    </message>
    <message>
        <source>The message is empty.</source>
        <translation>消息为空。</translation>
    </message>
    <message>
        <source>The message is %1 KiB long; the limit is %2 KiB. Split it into shorter messages.</source>
        <translation>消息长 %1 KiB，上限为 %2 KiB。请拆分成较短的消息。</translation>
    </message>
    <message>
        <source>Peer %1 is listed twice.</source>
        <translation>用户 %1 被列出了两次。</translation>
    </message>
    <message>
        <source>The key at an address from the invite link for %1 differs from the invite link&apos;s. </source>
        <translation>%1 的邀请链接中某个地址上的密钥与邀请链接中的不同。</translation>
    </message>
    <message>
        <source>%1 is not a peer ID.</source>
        <translation>%1 不是用户 ID。</translation>
    </message>
    <message>
        <source>This is your own invite link. Send it to the person you want to chat with, and paste theirs here.</source>
        <translation>这是你自己的邀请链接。请把它发送给想聊天的人，并在这里粘贴对方的链接。</translation>
    </message>
    <message>
        <source>The message to reply to (%1) is not in this conversation.</source>
        <translation>要回复的消息（%1）不在此会话中。</translation>
    </message>
    <message>
        <source>There is no message %1.</source>
        <translation>没有消息 %1。</translation>
    </message>
    <message>
        <source>A file transfer stays in the conversation; cancel it instead.</source>
        <translation>文件传输会保留在会话中；请改为取消它。</translation>
    </message>
    <message>
        <source>%1 could not be read as a picture: %2</source>
        <translation>无法将 %1 读取为图片：%2</translation>
    </message>
    <message>
        <source>Type something to search for.</source>
        <translation>请输入要搜索的内容。</translation>
    </message>
    <message>
        <source>The number of results must be at least 1.</source>
        <translation>结果数至少为 1。</translation>
    </message>
    <message>
        <source>There is no message %1 in this conversation.</source>
        <translation>此会话中没有消息 %1。</translation>
    </message>
    <message>
        <source>The message to reply to (%1) is not in this group.</source>
        <translation>要回复的消息（%1）不在此群组中。</translation>
    </message>
    <message>
        <source>IP Messenger is turned off.</source>
        <translation>IP Messenger 已关闭。</translation>
    </message>
    <message>
        <source>IP Messenger is off: turn it on in the settings to send files to IP Messenger users.</source>
        <translation>IP Messenger 已关闭：请在设置中开启，才能向 IP Messenger 用户发送文件。</translation>
    </message>
    <message>
        <source>Folders cannot be sent to IP Messenger users yet; send the files.</source>
        <translation>暂时无法向 IP Messenger 用户发送文件夹；请发送其中的文件。</translation>
    </message>
    <message>
        <source>Transfers with IP Messenger users cannot be paused.</source>
        <translation>与 IP Messenger 用户的传输不能暂停。</translation>
    </message>
    <message>
        <source>%1 uses IP Messenger; groups are for Shoal users only. Send to several instead.</source>
        <translation>%1 使用的是 IP Messenger；群组仅限 Shoal 用户。请改用“发送给多人”。</translation>
    </message>
    <message>
        <source>IP Messenger is off: SHOAL_LOOPBACK_ONLY is set, and IP Messenger needs the LAN.</source>
        <translation>IP Messenger 已关闭：设置了 SHOAL_LOOPBACK_ONLY，而 IP Messenger 需要局域网。</translation>
    </message>
    <message>
        <source>The mail password has not been read from the keyring yet.</source>
        <translation>尚未从密钥环读取邮件密码。</translation>
    </message>
    <message>
        <source>No mail password is kept; enter it in the e-mail settings.</source>
        <translation>没有保存邮件密码；请在电子邮件设置中输入。</translation>
    </message>
    <message>
        <source>Only a Shoal contact can have an e-mail address for notices.</source>
        <translation>只有 Shoal 联系人才能设置用于通知的电子邮件地址。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an e-mail address Shoal can send to (name@example.com).</source>
        <translation>“%1”不是 Shoal 能发送到的电子邮件地址（name@example.com）。</translation>
    </message>
    <message>
        <source>Contact cards are not available in this build.</source>
        <translation>此版本不支持联系人名片。</translation>
    </message>
    <message>
        <source>The contact&apos;s e-mail address could not be saved (%1).</source>
        <translation>无法保存该联系人的电子邮件地址（%1）。</translation>
    </message>
    <message>
        <source>The relay store %1 could not be opened (%2). Relayed and held messages are kept in memory until Shoal quits; check the profile folder&apos;s permissions.</source>
        <translation>无法打开转发存储 %1（%2）。转发和代存的消息将保存在内存中，直到 Shoal 退出；请检查配置文件夹的权限。</translation>
    </message>
    <message>
        <source>That is this profile&apos;s own ID.</source>
        <translation>这是本配置自己的 ID。</translation>
    </message>
    <message>
        <source>IP Messenger users cannot relay or hold messages: they do not speak Shoal&apos;s protocol.</source>
        <translation>IP Messenger 用户不能转发或代存消息：他们不使用 Shoal 的协议。</translation>
    </message>
</context>
<context>
    <name>NetworkDialog</name>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Interface</source>
        <translation>网卡</translation>
    </message>
    <message>
        <source>Announces to</source>
        <translation>通告目标</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Heard</source>
        <translation>已收到</translation>
    </message>
    <message>
        <source>LAN discovery is off. Peers can still be reached by address (Ctrl+N).</source>
        <translation>局域网发现已关闭。仍可按地址连接用户（Ctrl+N）。</translation>
    </message>
    <message>
        <source>LAN discovery could not start: %1</source>
        <translation>局域网发现无法启动：%1</translation>
    </message>
    <message>
        <source>LAN discovery on UDP port %1, announcing to %2.</source>
        <translation>局域网发现使用 UDP 端口 %1，通告发送到%2。</translation>
    </message>
    <message>
        <source>every interface</source>
        <translation>所有网卡</translation>
    </message>
    <message>
        <source>the configured addresses</source>
        <translation>指定的地址</translation>
    </message>
    <message>
        <source>(by address)</source>
        <translation>（按地址）</translation>
    </message>
    <message>
        <source>Peers heard now: %1. Datagrams from others: %2; dropped as malformed: %3, over the rate limit: %4, from other networks: %5.</source>
        <translation>当前发现的用户：%1。来自他人的数据报：%2；因格式错误丢弃：%3，因超出速率限制丢弃：%4，来自其他网络：%5。</translation>
    </message>
    <message>
        <source>Self-test passed: our own announcements come back.</source>
        <translation>自检通过：能收到自己发出的通告。</translation>
    </message>
    <message>
        <source>Self-test failed: our own announcements did not come back. Broadcasts may be blocked on this computer.</source>
        <translation>自检失败：收不到自己发出的通告。本机可能阻止了广播。</translation>
    </message>
    <message>
        <source>Nothing has been heard from other peers yet. If colleagues run Shoal on this network, check that a firewall lets UDP port %1 and TCP port %2 through, and that the Wi-Fi does not isolate clients (guest networks often do). You can always connect by address with Ctrl+N.</source>
        <translation>尚未收到其他用户的任何通告。如果同事在此网络上运行 Shoal，请检查防火墙是否放行 UDP 端口 %1 和 TCP 端口 %2，以及 Wi-Fi 是否隔离了客户端（访客网络常常如此）。你随时可以按 Ctrl+N 按地址连接。</translation>
    </message>
    <message>
        <source>Network change at</source>
        <translation>网络变化时间</translation>
    </message>
    <message>
        <source>What changed</source>
        <translation>变化内容</translation>
    </message>
    <message>
        <source>Shoal has not heard any other Shoal on this network. A firewall or the Wi-Fi may block broadcasts; send an invite link instead.</source>
        <translation>Shoal 在此网络上没有发现其他 Shoal。防火墙或 Wi-Fi 可能阻止了广播；请改用邀请链接。</translation>
    </message>
    <message>
        <source>woke from sleep</source>
        <translation>从睡眠中唤醒</translation>
    </message>
    <message>
        <source>up: %1</source>
        <translation>已启用：%1</translation>
    </message>
    <message>
        <source>down: %1</source>
        <translation>已停用：%1</translation>
    </message>
    <message>
        <source>new address: %1</source>
        <translation>新地址：%1</translation>
    </message>
    <message>
        <source>address gone: %1</source>
        <translation>地址已移除：%1</translation>
    </message>
    <message>
        <source>This computer: %1, ID %2
Listening for peers (TCP) at %3</source>
        <translation>本机：%1，ID %2
在 %3 监听用户连接（TCP）</translation>
    </message>
</context>
<context>
    <name>NetworkMonitor</name>
    <message>
        <source>Shoal cannot watch this computer&apos;s network for changes (%1); after a new address or Wi-Fi network, peers may take up to a minute to reconnect.</source>
        <translation>Shoal 无法监视此计算机的网络变化（%1）；更换地址或 Wi-Fi 网络后，用户可能需要最多一分钟才能重新连接。</translation>
    </message>
</context>
<context>
    <name>NewGroupDialog</name>
    <message>
        <source>New group</source>
        <translation>新建群组</translation>
    </message>
    <message>
        <source>Lunch, Project X, Family…</source>
        <translation>午饭、X 项目、家人…</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Create group</source>
        <translation>创建群组</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Members (peers you know; offline ones join when they are next online):</source>
        <translation>成员(&amp;M)（你认识的用户；离线的用户在下次上线时加入）：</translation>
    </message>
    <message>
        <source>You know no peers yet: connect to someone first (Ctrl+N).</source>
        <translation>你还不认识任何用户：请先连接一个用户 (Ctrl+N)。</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>(%1) %2</source>
        <translation>(%1) %2</translation>
    </message>
    <message>
        <source>Open conversation</source>
        <translation>打开对话</translation>
    </message>
    <message>
        <source>Offers the folder %1 (%2)</source>
        <translation>发送文件夹 %1（%2）</translation>
    </message>
    <message numerus="yes">
        <source>Offers %1 (%Ln files, %2)</source>
        <translation>
            <numerusform>发送 %1（%Ln 个文件，%2）</numerusform>
        </translation>
    </message>
    <message>
        <source>Offers %1 (%2)</source>
        <translation>发送 %1（%2）</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <comment>author in group</comment>
        <translation>%1（%2）</translation>
    </message>
</context>
<context>
    <name>OfferCheck</name>
    <message>
        <source>The offer contains no files.</source>
        <translation>该文件提供中不含任何文件。</translation>
    </message>
    <message>
        <source>The offer contains more than %L1 files and folders, the most Shoal accepts in one offer.</source>
        <translation>该文件提供包含超过 %L1 个文件和文件夹，这是 Shoal 在一次提供中接受的上限。</translation>
    </message>
    <message>
        <source>The offered folder &quot;%1&quot; claims %L2 bytes; a folder has no size of its own.</source>
        <translation>所提供的文件夹“%1”声称大小为 %L2 字节；文件夹本身没有大小。</translation>
    </message>
    <message>
        <source>The offered file &quot;%1&quot; has a negative size.</source>
        <translation>所提供的文件“%1”的大小为负数。</translation>
    </message>
    <message>
        <source>The offer holds more than %1 in total, the most Shoal accepts in one offer.</source>
        <translation>该文件提供总计超过 %1，这是 Shoal 在一次提供中接受的上限。</translation>
    </message>
    <message>
        <source>A folder offer holds one folder, but &quot;%1&quot; and &quot;%2&quot; are two names at its top.</source>
        <translation>文件夹提供只应包含一个文件夹，但“%1”和“%2”是其顶层的两个名称。</translation>
    </message>
    <message>
        <source>A folder offer holds one folder, but &quot;%1&quot; at its top is a file.</source>
        <translation>文件夹提供只应包含一个文件夹，但其顶层的“%1”是一个文件。</translation>
    </message>
    <message>
        <source>The offer contains &quot;%1&quot; and &quot;%2&quot;, the same name with its letters encoded in two ways; macOS would take them for one and one would overwrite the other.</source>
        <translation>该文件提供包含“%1”和“%2”，它们是同一个名称的两种字符编码形式；macOS 会将其视为同一个，其中一个会覆盖另一个。</translation>
    </message>
    <message>
        <source>The offer contains &quot;%1&quot; and &quot;%2&quot;, which differ only in upper and lower case; Windows and macOS would take them for one and one would overwrite the other.</source>
        <translation>该文件提供包含“%1”和“%2”，二者只有大小写不同；Windows 和 macOS 会将其视为同一个，其中一个会覆盖另一个。</translation>
    </message>
    <message>
        <source>The offered file &quot;%1&quot; is also used as the folder of &quot;%2&quot;.</source>
        <translation>所提供的文件“%1”同时被用作“%2”所在的文件夹。</translation>
    </message>
    <message>
        <source>The offer lists &quot;%1&quot; twice.</source>
        <translation>该文件提供两次列出了“%1”。</translation>
    </message>
    <message>
        <source>The offer lists &quot;%1&quot; both as a file and as a folder.</source>
        <translation>该文件提供将“%1”同时列为文件和文件夹。</translation>
    </message>
</context>
<context>
    <name>Outbox</name>
    <message>
        <source>The message is empty.</source>
        <translation>消息为空。</translation>
    </message>
    <message>
        <source>The message is %1 KiB long; the limit is %2 KiB. Split it into shorter messages.</source>
        <translation>消息长 %1 KiB，上限为 %2 KiB。请拆分成较短的消息。</translation>
    </message>
    <message>
        <source>Only a waiting message can be retried.</source>
        <translation>只能重试等待中的消息。</translation>
    </message>
    <message>
        <source>Only a waiting message can be deleted; this one may already have arrived.</source>
        <translation>只能删除等待中的消息；这条消息可能已经送达。</translation>
    </message>
</context>
<context>
    <name>PeerAddress</name>
    <message>
        <source>&quot;%1&quot; is not a valid port; use a number from 1 to 65535.</source>
        <translation>“%1”不是有效端口；请使用 1 到 65535 之间的数字。</translation>
    </message>
    <message>
        <source>Enter an address, for example 192.168.1.20:47800 or alice-laptop.</source>
        <translation>请输入地址，例如 192.168.1.20:47800 或 alice-laptop。</translation>
    </message>
    <message>
        <source>Missing &quot;]&quot; after the IPv6 address.</source>
        <translation>IPv6 地址后缺少“]”。</translation>
    </message>
    <message>
        <source>Expected &quot;:port&quot; after &quot;]&quot;.</source>
        <translation>“]”之后应为“:端口”。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid IPv6 address.</source>
        <translation>“%1”不是有效的 IPv6 地址。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid address. Write IPv6 addresses with a port as [address]:port.</source>
        <translation>“%1”不是有效地址。带端口的 IPv6 地址请写成 [地址]:端口。</translation>
    </message>
    <message>
        <source>The address has no host part.</source>
        <translation>地址中缺少主机部分。</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid host name or IP address.</source>
        <translation>“%1”不是有效的主机名或 IP 地址。</translation>
    </message>
</context>
<context>
    <name>PeerCheckList</name>
    <message>
        <source>%1 (online)</source>
        <comment>a peer in a list to pick from</comment>
        <translation>%1（在线）</translation>
    </message>
    <message>
        <source>ID %1</source>
        <translation>ID %1</translation>
    </message>
    <message>
        <source>%1 (IP Messenger)</source>
        <comment>a peer in a list to pick from</comment>
        <translation>%1（IP Messenger）</translation>
    </message>
    <message>
        <source>IP Messenger users cannot be in a Shoal group: its messages are signed and encrypted.</source>
        <translation>IP Messenger 用户不能加入 Shoal 群组：群组消息是签名并加密的。</translation>
    </message>
</context>
<context>
    <name>PeerConnection</name>
    <message>
        <source>The peer speaks protocol versions %1 to %2; this Shoal speaks %3 to %4. Update the older Shoal.</source>
        <translation>对方支持协议版本 %1 至 %2；本机 Shoal 支持 %3 至 %4。请升级较旧的 Shoal。</translation>
    </message>
    <message>
        <source>The peer presented no certificate.</source>
        <translation>对方未出示证书。</translation>
    </message>
    <message>
        <source>The peer claims ID %1 but its certificate has fingerprint %2.</source>
        <translation>对方声称 ID 为 %1，但其证书指纹为 %2。</translation>
    </message>
    <message>
        <source>Expected the peer with ID %1, but the one at this address has ID %2.</source>
        <translation>期望连接 ID 为 %1 的用户，但该地址上的用户 ID 为 %2。</translation>
    </message>
    <message>
        <source>This address is this Shoal itself.</source>
        <translation>该地址就是本机 Shoal 自己。</translation>
    </message>
    <message>
        <source>The connection was closed by the peer.</source>
        <translation>连接已被对方关闭。</translation>
    </message>
    <message>
        <source>No answer within %1 s.</source>
        <translation>%1 秒内无应答。</translation>
    </message>
    <message>
        <source>Nothing heard from the peer for %1 s.</source>
        <translation>已有 %1 秒未收到对方的任何数据。</translation>
    </message>
    <message>
        <source>The host name could not be found. Check the spelling.</source>
        <translation>找不到该主机名。请检查拼写。</translation>
    </message>
    <message>
        <source>The connection was refused. Is Shoal running there, and is the port right?</source>
        <translation>连接被拒绝。对方是否正在运行 Shoal？端口是否正确？</translation>
    </message>
    <message>
        <source>The host cannot be reached. Check the address and the network.</source>
        <translation>无法访问该主机。请检查地址和网络。</translation>
    </message>
    <message>
        <source>The peer did not answer in time.</source>
        <translation>对方未能及时应答。</translation>
    </message>
    <message>
        <source>The secure connection could not be set up.</source>
        <translation>无法建立安全连接。</translation>
    </message>
    <message>
        <source>The peer&apos;s identity does not match; the connection was refused.</source>
        <translation>对方身份不匹配，已拒绝连接。</translation>
    </message>
    <message>
        <source>That address is this Shoal itself.</source>
        <translation>该地址就是本机 Shoal 自己。</translation>
    </message>
    <message>
        <source>The peer runs an incompatible version of Shoal.</source>
        <translation>对方运行的 Shoal 版本不兼容。</translation>
    </message>
    <message>
        <source>The peer sent data Shoal does not understand.</source>
        <translation>对方发送了 Shoal 无法理解的数据。</translation>
    </message>
    <message>
        <source>The peer closed the connection.</source>
        <translation>对方关闭了连接。</translation>
    </message>
    <message>
        <source>Replaced by another connection to the same peer.</source>
        <translation>已被到同一用户的另一连接取代。</translation>
    </message>
    <message>
        <source>Closed.</source>
        <translation>已关闭。</translation>
    </message>
    <message>
        <source>The peer stopped taking what is sent to it; the connection was closed.</source>
        <translation>对方不再接收发给它的数据；连接已关闭。</translation>
    </message>
</context>
<context>
    <name>PeerDelegate</name>
    <message>
        <source>group · %1 · %2 online</source>
        <comment>members, others online</comment>
        <translation>群组 · %1 · %2 人在线</translation>
    </message>
</context>
<context>
    <name>PeerListView</name>
    <message>
        <source>Peers</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>No peers yet.
Use &quot;Connect to peer…&quot; (Ctrl+N) and type an address.</source>
        <translation>还没有用户。
请使用“连接到用户…”（Ctrl+N）并输入地址。</translation>
    </message>
    <message numerus="yes">
        <source>%1, %2, %Ln unread</source>
        <comment>name, online state</comment>
        <translation>
            <numerusform>%1，%2，%Ln 条未读</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, %2</source>
        <comment>name, online state</comment>
        <translation>%1，%2</translation>
    </message>
    <message numerus="yes">
        <source>%1, group of %n, %2 online</source>
        <comment>name, members, others online</comment>
        <translation>
            <numerusform>%1，%n 人群组，%2 人在线</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1, %Ln unread</source>
        <comment>group, unread</comment>
        <translation>
            <numerusform>%1，%Ln 条未读</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, %2</source>
        <comment>IP Messenger mark, online state</comment>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>No peers yet.
Shoal users on this network appear here by themselves. To reach someone elsewhere, use &quot;Connect to peer…&quot; (Ctrl+N).</source>
        <translation>还没有用户。
此网络上的 Shoal 用户会自动出现在这里。要联系其他网络上的人，请使用“连接到用户…”（Ctrl+N）。</translation>
    </message>
</context>
<context>
    <name>PeerStatus</name>
    <message>
        <source>connection refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>timed out</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>no route</source>
        <translation>无路由</translation>
    </message>
    <message>
        <source>another key answered</source>
        <translation>应答的是另一个密钥</translation>
    </message>
    <message>
        <source>not a Shoal</source>
        <translation>不是 Shoal</translation>
    </message>
    <message>
        <source>connection failed</source>
        <translation>连接失败</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>invited, can&apos;t connect: %1</source>
        <translation>已邀请，无法连接：%1</translation>
    </message>
    <message>
        <source>seen on the network, can&apos;t connect: %1</source>
        <translation>在网络中发现，无法连接：%1</translation>
    </message>
    <message>
        <source>connecting…</source>
        <comment>from an invite link, not reached yet</comment>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>seen on the LAN</source>
        <translation>在局域网中发现</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Invited, can&apos;t connect: %1</source>
        <translation>已邀请，无法连接：%1</translation>
    </message>
    <message>
        <source>Seen on the network, can&apos;t connect: %1</source>
        <translation>在网络中发现，无法连接：%1</translation>
    </message>
</context>
<context>
    <name>ProfileDirectory</name>
    <message>
        <source>%1 exists and is not a folder.</source>
        <translation>%1 已存在，但不是文件夹。</translation>
    </message>
    <message>
        <source>Cannot create the folder %1: %2.</source>
        <translation>无法创建文件夹 %1：%2。</translation>
    </message>
    <message>
        <source>Cannot create %1: %2.</source>
        <translation>无法创建 %1：%2。</translation>
    </message>
    <message>
        <source>Cannot make %1 private to its owner.</source>
        <translation>无法把 %1 设为仅所有者可访问。</translation>
    </message>
    <message>
        <source>Another Shoal (process %1) is already using the profile %2. Close it first, or start this one with --profile and another folder.</source>
        <translation>另一个 Shoal（进程 %1）正在使用配置文件夹 %2。请先关闭它，或用 --profile 指定另一个文件夹启动。</translation>
    </message>
    <message>
        <source>Cannot lock the profile %1 (is the folder writable?).</source>
        <translation>无法锁定配置文件夹 %1（该文件夹可写吗？）。</translation>
    </message>
    <message>
        <source>The profile folder %1 can be read by other users of this computer. Its files are private, but consider &quot;chmod 700 %1&quot;.</source>
        <translation>配置文件夹 %1 可被这台电脑的其他用户读取。其中的文件是私有的，但建议执行“chmod 700 %1”。</translation>
    </message>
</context>
<context>
    <name>ProfileSettings</name>
    <message>
        <source>Cannot move %1 to %2.</source>
        <translation>无法将 %1 移动到 %2。</translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>There is nothing to search for in &quot;%1&quot;.</source>
        <translation>“%1”中没有可搜索的内容。</translation>
    </message>
    <message>
        <source>The history cannot be searched: %1</source>
        <translation>无法搜索历史记录：%1</translation>
    </message>
</context>
<context>
    <name>RelayText</name>
    <message>
        <source>Let %1 &amp;pass on my messages when needed</source>
        <translation>允许 %1 在需要时转发我的消息(&amp;P)</translation>
    </message>
    <message>
        <source>When you and someone else can&apos;t reach each other directly but you are both connected to %1, your messages go through %1&apos;s Shoal at once. It works both ways: you pass on %1&apos;s messages too. %1 can&apos;t read or change them, and the other person must allow %1 as well.</source>
        <translation>当你和另一个人无法直接连接、但你们都连着 %1 时，你的消息会立即经由 %1 的 Shoal 传递。这是双向的：你也会转发 %1 的消息。%1 无法阅读或修改这些消息，而且对方也必须允许 %1。</translation>
    </message>
    <message>
        <source>Let %1 &amp;keep my messages for people who are away</source>
        <translation>允许 %1 为不在线的人代存我的消息(&amp;K)</translation>
    </message>
    <message>
        <source>When someone you write to is offline, %1&apos;s Shoal keeps your messages (up to 7 days) and gives them to that person when they come back, even if you have gone home by then. It works both ways: you keep %1&apos;s messages too. %1 can&apos;t read or change them, and the other person must allow %1 as well.</source>
        <translation>当你发消息的对象不在线时，%1 的 Shoal 会代存你的消息（最长 7 天），并在对方回来时交给对方，即使那时你已经下线。这是双向的：你也会代存 %1 的消息。%1 无法阅读或修改这些消息，而且对方也必须允许 %1。</translation>
    </message>
    <message>
        <source>&amp;E-mail address…</source>
        <translation>电子邮件地址(&amp;E)…</translation>
    </message>
    <message>
        <source>%1, via %2</source>
        <comment>the conversation&apos;s header, the name of the contact passing the messages on</comment>
        <translation>%1，经由 %2</translation>
    </message>
    <message>
        <source>%1 can&apos;t be reached directly: your messages go through %2&apos;s Shoal, sealed so that %2 can&apos;t read or change them.</source>
        <translation>无法直接连接 %1：你的消息经由 %2 的 Shoal 传递，并已加密封装，%2 无法阅读或修改。</translation>
    </message>
    <message>
        <source>online, via %1</source>
        <translation>在线，经由 %1</translation>
    </message>
    <message>
        <source>held by %1</source>
        <comment>an own message&apos;s state: the contacts keeping it</comment>
        <translation>由 %1 代存</translation>
    </message>
    <message>
        <source>Held by %1 until %2 is back</source>
        <comment>the helpers&apos; names, the recipient&apos;s name</comment>
        <translation>由 %1 代存，直到 %2 回来</translation>
    </message>
</context>
<context>
    <name>ReplyStrip</name>
    <message>
        <source>Replying to</source>
        <translation>回复给</translation>
    </message>
    <message>
        <source>Don&apos;t reply to this message</source>
        <translation>不回复这条消息</translation>
    </message>
    <message>
        <source>Cancel reply</source>
        <translation>取消回复</translation>
    </message>
    <message>
        <source>Replying to %1: %2</source>
        <comment>author, first line</comment>
        <translation>回复 %1：%2</translation>
    </message>
</context>
<context>
    <name>SafeName</name>
    <message>
        <source>The offer contains an empty name.</source>
        <translation>该文件提供中包含一个空名称。</translation>
    </message>
    <message>
        <source>The offer contains &quot;%1&quot; as a name, which would point outside the files offered.</source>
        <translation>该文件提供中包含名称“%1”，它会指向所提供文件之外的位置。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; contains a NUL character.</source>
        <translation>所提供的名称“%1”包含 NUL 字符。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; is not valid Unicode.</source>
        <translation>所提供的名称“%1”不是有效的 Unicode。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; contains a control character.</source>
        <translation>所提供的名称“%1”包含控制字符。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; contains an invisible direction mark, which can disguise what kind of file it is.</source>
        <translation>所提供的名称“%1”包含不可见的文字方向标记，可能借此伪装文件的类型。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; contains a slash.</source>
        <translation>所提供的名称“%1”包含斜杠。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; contains a backslash, which Windows reads as a folder separator.</source>
        <translation>所提供的名称“%1”包含反斜杠，Windows 会把它当作文件夹分隔符。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; contains &quot;%2&quot;, which Windows does not allow in names.</source>
        <translation>所提供的名称“%1”包含“%2”，Windows 不允许名称中出现该字符。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; ends with a dot or a space, which Windows drops, making it another name.</source>
        <translation>所提供的名称“%1”以点或空格结尾，Windows 会将其去掉，从而变成另一个名称。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; is reserved for a device on Windows.</source>
        <translation>所提供的名称“%1”在 Windows 上保留给设备使用。</translation>
    </message>
    <message>
        <source>The offered name &quot;%1&quot; is longer than %2 bytes.</source>
        <translation>所提供的名称“%1”超过 %2 字节。</translation>
    </message>
    <message>
        <source>The offered path &quot;%1&quot; is longer than %2 bytes.</source>
        <translation>所提供的路径“%1”超过 %2 字节。</translation>
    </message>
    <message>
        <source>The offered path &quot;%1&quot; is absolute; a peer may offer only names inside the files it sends.</source>
        <translation>所提供的路径“%1”是绝对路径；对方只能提供其所发送文件内部的名称。</translation>
    </message>
    <message>
        <source>The offered path &quot;%1&quot; is nested more than %2 folders deep.</source>
        <translation>所提供的路径“%1”的文件夹嵌套超过 %2 层。</translation>
    </message>
    <message>
        <source>The offered path &quot;%1&quot; contains an empty folder name.</source>
        <translation>所提供的路径“%1”包含空的文件夹名称。</translation>
    </message>
</context>
<context>
    <name>SearchResults</name>
    <message>
        <source>Search results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
</context>
<context>
    <name>SendManyDialog</name>
    <message>
        <source>Send to several</source>
        <translation>群发</translation>
    </message>
    <message>
        <source>Recipients</source>
        <translation>收件人</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Each one gets it as a message from you alone.</source>
        <translation>每人收到的都是你单独发给他的消息。</translation>
    </message>
    <message>
        <source>Send…</source>
        <translation>发送…</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>收件人(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Message:</source>
        <translation>消息(&amp;M)：</translation>
    </message>
    <message>
        <source>Send to 1 person?</source>
        <translation>发送给 1 个人？</translation>
    </message>
    <message numerus="yes">
        <source>Send to %n people?</source>
        <translation>
            <numerusform>发送给 %n 个人？</numerusform>
        </translation>
    </message>
    <message>
        <source>Send this message to %1?</source>
        <translation>要将这条消息发送给%1吗？</translation>
    </message>
    <message>
        <source>Each gets a message of their own; none of them sees who else got it.</source>
        <translation>每人收到单独的一条消息，看不到还有谁收到。</translation>
    </message>
    <message numerus="yes">
        <source>Send to %n</source>
        <translation>
            <numerusform>发送给 %n 人</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Find peers on the local network</source>
        <translation>在局域网中查找用户</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Your &amp;name:</source>
        <translation>你的名字(&amp;N)：</translation>
    </message>
    <message>
        <source>TCP &amp;port:</source>
        <translation>TCP 端口(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Discovery port (UDP):</source>
        <translation>发现端口 (UDP)(&amp;D)：</translation>
    </message>
    <message>
        <source>Enter the name others will see.</source>
        <translation>请输入其他人将看到的名字。</translation>
    </message>
    <message>
        <source>Port and discovery changes take effect the next time Shoal starts.</source>
        <translation>端口和发现设置的更改将在下次启动 Shoal 时生效。</translation>
    </message>
    <message>
        <source>Let senders know when I have read their messages</source>
        <translation>让发送者知道我已读了他们的消息</translation>
    </message>
    <message>
        <source>Read receipts:</source>
        <translation>已读回执：</translation>
    </message>
    <message>
        <source>Show an icon in the system tray</source>
        <translation>在系统托盘中显示图标</translation>
    </message>
    <message>
        <source>Notify me when the window is not in front</source>
        <translation>窗口不在前台时通知我</translation>
    </message>
    <message>
        <source>Mark the window as needing attention</source>
        <translation>将窗口标记为需要注意</translation>
    </message>
    <message>
        <source>Show the unread count in the window title</source>
        <translation>在窗口标题中显示未读数</translation>
    </message>
    <message>
        <source>While the icon is in the tray, closing the window keeps Shoal running there; Quit ends it.</source>
        <translation>托盘中有图标时，关闭窗口后 Shoal 会在托盘中继续运行；选择“退出”才会结束。</translation>
    </message>
    <message>
        <source>Tray:</source>
        <translation>托盘：</translation>
    </message>
    <message>
        <source>New messages:</source>
        <translation>新消息：</translation>
    </message>
    <message>
        <source>C&amp;hoose…</source>
        <translation>选择(&amp;H)…</translation>
    </message>
    <message>
        <source>Save &amp;received files in:</source>
        <translation>接收的文件保存在(&amp;R)：</translation>
    </message>
    <message>
        <source>Save received files in</source>
        <translation>接收的文件保存在</translation>
    </message>
    <message>
        <source>Choose a folder for received files (a full path).</source>
        <translation>请为接收的文件选择一个文件夹（完整路径）。</translation>
    </message>
    <message>
        <source>Tell my contacts where my other contacts are (peer exchange)</source>
        <translation>告诉我的联系人我的其他联系人在哪里（节点交换）</translation>
    </message>
    <message>
        <source>Contacts connected to you learn the address of your other contacts online, so that they can connect to each other across routers. A contact can be left out from its menu.</source>
        <translation>与你连接的联系人会得知你的其他在线联系人的地址，从而可以跨路由器互相连接。可在某个联系人的菜单中将其排除。</translation>
    </message>
    <message>
        <source>Contacts:</source>
        <translation>联系人：</translation>
    </message>
    <message>
        <source> min without input</source>
        <translation> 分钟无操作后</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>Your status becomes Away after this long without keyboard or mouse, and Available again when you are back. A status you chose yourself is left as it is.</source>
        <translation>键盘和鼠标闲置这么久后，你的状态变为“离开”，回来后恢复为“在线”。你自己选择的状态保持不变。</translation>
    </message>
    <message>
        <source>&amp;Away after:</source>
        <translation>自动离开(&amp;A)：</translation>
    </message>
    <message>
        <source>Your picture:</source>
        <translation>你的头像：</translation>
    </message>
    <message>
        <source>IP Messenger, FeiQ (飞秋) and iptux users on this network appear in your list, marked as not encrypted and not verified. Uses UDP and TCP port 2425.</source>
        <translation>本网络中的 IP Messenger、飞秋和 iptux 用户会出现在你的列表中，并标为未加密、未验证。使用 UDP 和 TCP 端口 2425。</translation>
    </message>
    <message>
        <source>IP Messenger:</source>
        <translation>IP Messenger：</translation>
    </message>
    <message>
        <source>Turned off for this run with --no-ipmsg.</source>
        <translation>本次运行已用 --no-ipmsg 关闭。</translation>
    </message>
    <message>
        <source>This run uses %1 (--port)</source>
        <translation>本次运行使用 %1（--port）</translation>
    </message>
    <message>
        <source>This run uses %1 (--discovery-port)</source>
        <translation>本次运行使用 %1（--discovery-port）</translation>
    </message>
</context>
<context>
    <name>Sha256</name>
    <message>
        <source>Cannot compute a SHA-256 checksum: out of memory.</source>
        <translation>无法计算 SHA-256 校验和：内存不足。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1 is shorter than expected: it ends after %2 bytes, %3 were needed. It may have been changed or truncated since.</source>
        <translation>%1 比预期的短：它在 %2 字节处结束，而需要 %3 字节。它可能已被修改或截断。</translation>
    </message>
</context>
<context>
    <name>SmtpSender</name>
    <message>
        <source>No mail server is set.</source>
        <translation>未设置邮件服务器。</translation>
    </message>
    <message>
        <source>Only this computer may be reached (SHOAL_LOOPBACK_ONLY is set); the mail server %1 is not on it.</source>
        <translation>只能连接本机（已设置 SHOAL_LOOPBACK_ONLY）；邮件服务器 %1 不在本机上。</translation>
    </message>
    <message>
        <source>The mail server %1 was not found; check its name in the e-mail settings.</source>
        <translation>找不到邮件服务器 %1；请在电子邮件设置中检查其名称。</translation>
    </message>
    <message>
        <source>The mail server %1 could not be reached (%2); check its address and port.</source>
        <translation>无法连接邮件服务器 %1（%2）；请检查其地址和端口。</translation>
    </message>
    <message>
        <source>The mail server %1 did not answer in time.</source>
        <translation>邮件服务器 %1 没有及时响应。</translation>
    </message>
    <message>
        <source>The mail server %1 refused the user name or password.</source>
        <translation>邮件服务器 %1 拒绝了用户名或密码。</translation>
    </message>
    <message>
        <source>The mail server %1 does not offer STARTTLS; choose TLS or another server.</source>
        <translation>邮件服务器 %1 不支持 STARTTLS；请选择 TLS 或换一个服务器。</translation>
    </message>
    <message>
        <source>A secure connection to the mail server %1 could not be made (%2).</source>
        <translation>无法与邮件服务器 %1 建立安全连接（%2）。</translation>
    </message>
    <message>
        <source>The connection to the mail server %1 broke (%2).</source>
        <translation>与邮件服务器 %1 的连接中断（%2）。</translation>
    </message>
    <message>
        <source>The mail server %1 refused the message (%2: %3).</source>
        <translation>邮件服务器 %1 拒绝了该邮件（%2：%3）。</translation>
    </message>
    <message>
        <source>The notice could not be sent through %1 (%2).</source>
        <translation>无法通过 %1 发送通知（%2）。</translation>
    </message>
</context>
<context>
    <name>StatusIcon</name>
    <message>
        <source>Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <comment>status, status message</comment>
        <translation>%1 — %2</translation>
    </message>
</context>
<context>
    <name>StatusSelector</name>
    <message>
        <source>Your status, as your contacts see it. Click to change it.</source>
        <translation>联系人看到的你的状态。点击更改。</translation>
    </message>
    <message>
        <source>Status message</source>
        <translation>状态消息</translation>
    </message>
    <message>
        <source>What your contacts see beside your status:</source>
        <translation>联系人在你的状态旁看到的内容：</translation>
    </message>
    <message>
        <source>Do not disturb: no notifications</source>
        <translation>请勿打扰：不显示通知</translation>
    </message>
    <message>
        <source>Set status message…</source>
        <translation>设置状态消息…</translation>
    </message>
    <message>
        <source>Clear status message</source>
        <translation>清除状态消息</translation>
    </message>
</context>
<context>
    <name>ThumbnailLoader</name>
    <message>
        <source>the picture claims %1 × %2 pixels</source>
        <translation>图片声称有 %1 × %2 像素</translation>
    </message>
</context>
<context>
    <name>TransfersWindow</name>
    <message>
        <source>No transfers yet. Send files from a conversation: Send files…, or drop them on it.</source>
        <translation>还没有传输。在对话中发送文件：“发送文件…”，或把文件拖进去。</translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation>传输</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>&amp;Show Shoal</source>
        <translation>显示 Shoal(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message numerus="yes">
        <source>Shoal — %n unread</source>
        <translation>
            <numerusform>Shoal — %n 条未读</numerusform>
        </translation>
    </message>
    <message>
        <source>Shoal</source>
        <translation>Shoal</translation>
    </message>
    <message>
        <source>Shoal is still running</source>
        <translation>Shoal 仍在运行</translation>
    </message>
    <message>
        <source>Messages keep arriving. Click the Shoal icon in the tray to open the window; choose Quit in its menu to end Shoal.</source>
        <translation>消息会继续到达。点击托盘中的 Shoal 图标可打开窗口；在其菜单中选择“退出”可结束 Shoal。</translation>
    </message>
    <message>
        <source>%1 · online, listening on port %2</source>
        <translation>%1 · 在线，监听端口 %2</translation>
    </message>
    <message>
        <source>%1 · offline, not listening</source>
        <translation>%1 · 离线，未在监听</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Headless Shoal peer: JSON commands on stdin, one per line; JSON events on stdout.</source>
        <translation>无界面的 Shoal 节点：从标准输入读取 JSON 命令（每行一条），向标准输出写 JSON 事件。</translation>
    </message>
    <message>
        <source>Shoal</source>
        <translation>Shoal</translation>
    </message>
    <message>
        <source>Cannot open the profile: %1</source>
        <translation>无法打开配置目录：%1</translation>
    </message>
    <message>
        <source>Welcome to Shoal</source>
        <translation>欢迎使用 Shoal</translation>
    </message>
    <message>
        <source>Your name, as others will see it:</source>
        <translation>你的名字（其他人将看到）：</translation>
    </message>
    <message>
        <source>Settings were not saved: %1</source>
        <translation>设置未能保存：%1</translation>
    </message>
    <message>
        <source>Serverless LAN chat. Qt&apos;s own options, such as -style Fusion, work too.</source>
        <translation>无服务器的局域网聊天。Qt 自身的选项（如 -style Fusion）同样可用。</translation>
    </message>
    <message>
        <source>shoal-cli is using the profile %1 (a service, or a terminal). Stop it first, or start the window with --profile and another folder.</source>
        <translation>shoal-cli 正在使用配置文件夹 %1（作为服务或在终端中运行）。请先停止它，或用 --profile 指定另一个文件夹启动窗口。</translation>
    </message>
</context>
</TS>
