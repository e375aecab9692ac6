// i18n.js — the console's words in English and Simplified Chinese. t(key, {n: 3}) fills
// {n}; the choice is kept in localStorage and switched from the header.

const words = {
  en: {
    lang_switch: "中文", nav_overview: "Overview", nav_alerts: "Alerts", nav_search: "Search",
    nav_sources: "Sources", nav_terminals: "Assets", nav_rules: "Rules",
    inventory: "Inventory", unregistered: "Unregistered terminals", owner: "Owner",
    department: "Department", value: "Value", registered: "Registered",
    rules_why: "Try a Sigma rule on log lines: each line is decoded as the daemon would, then matched.",
    try_rule: "Try", refused: "Refused", try_title: "Try a rule", file: "File", state: "State",
    rule_matches: "Matches", rule_cost: "Cost (µs/event)",
    on: "on", off: "off", loaded_rules: "{n} rules loaded ({r} refused)", rule_summary: "{r} rule(s) loaded, {n} line(s), {m} match(es).",
    terminals_why: "Devices DHCP servers and arpwatch saw that the asset inventory does not register.",
    seen: "Sightings", nav_accounts: "Accounts", nav_audit: "Audit trail", nav_report: "Compliance report",
    logout: "Sign out", signin: "Sign in", user: "User name", password: "Password",
    totp_code: "One-time code (authenticator app)", need_totp: "Enter the code from your authenticator.",
    change_password: "Change your password", change_password_why: "A one-time or expired password must be changed before you go on.",
    old_password: "Current password", new_password: "New password", repeat_password: "New password again",
    passwords_differ: "The two new passwords differ.", save: "Save",
    enrol_totp: "Enrol a second factor", enrol_why: "Administrators sign in with a one-time code. Add this key to an authenticator app (TOTP, 30 s, 6 digits), then enter the code it shows.",
    secret: "Key", confirm: "Confirm",
    range: "Range", range_1h: "last hour", range_24h: "last 24 hours", range_7d: "last 7 days", range_30d: "last 30 days",
    ind_open: "Open alerts", ind_weak: "Weak passwords found", ind_terminals: "Unregistered terminals",
    ind_sqli: "SQL-injection detections", ind_ddos: "DDoS / flood detections", ind_silent: "Silent sources",
    events_over_time: "Events over time", alerts_over_time: "Alerts over time", by_level: "Alerts by severity",
    top_rules: "Top rules", top_sources: "Top sources", top_targets: "Top targets", top_hosts: "Top hosts",
    source_countries: "Source countries", open_by_age: "Open alerts by age",
    age_under_1h: "under 1 h", age_1h_to_24h: "1–24 h", age_1d_to_7d: "1–7 days", age_over_7d: "over 7 days",
    alerts: "alerts", hits: "hits", events: "events", capped: "(counted back to {t} only: the count stops after a second)",
    level: "Severity", status: "Status", title: "Rule", first_seen: "First seen", last_seen: "Last seen",
    count: "Count", risk: "Risk", src: "Source", dst: "Target", host: "Host", user_col: "User",
    assignee: "Assignee", take: "Take", group_by_rule: "group by rule",
    any: "any", acknowledge: "Acknowledge", escalate: "Escalate", close: "Close", reason: "Reason",
    reason_required: "A reason is required to close.", selected: "{n} selected", cancel: "Cancel",
    alert_detail: "Alert", entity_history: "History of {v}", no_alerts: "No alerts.",
    status_open: "open", status_all: "all", status_new: "new", status_acknowledged: "acknowledged", status_escalated: "escalated", status_closed: "closed",
    query: "Query (field:value, AND/OR/NOT, \"phrase\", wild*card)", run: "Search", time: "Time",
    decoder: "Decoder", raw: "Record", results: "{n} events", more: "more exist: narrow the query or the range",
    fields: "Fields", pivot: "Add to the query", export: "Export", save_search: "Save search", saved_searches: "Saved searches",
    search_name: "Name (optional)", search_saved: "Saved as “{name}”", delete_search: "Delete this saved search",
    search_deleted: "“{name}” deleted",
    name: "Name", roles: "Roles", factor: "2nd factor", disabled: "Disabled", last_login: "Last login",
    create_account: "Create account", created_otp: "Account {name} made. One-time password (shown once): {otp}",
    grant: "Grant roles", pii_view: "may see personal data", enable: "Enable", disable: "Disable", reset: "Reset password",
    actor: "Who", address: "From", action: "Action", object: "What", result: "Result",
    verify: "Verify the trail", verify_ok: "The trail is whole: {n} records, {h} heads agree.",
    verify_bad: "The trail is damaged: {n} problem(s).", older: "Older",
    input: "Input", last_seen_src: "Last seen", events_n: "Events", first_seen_src: "First seen",
    report_title: "Compliance report (MLPS 2.0)", report_sources: "Log sources and retention",
    report_accounts: "Accounts and their factors", report_audit: "Audit coverage", print: "Print",
    retention: "Events are kept at least 190 days (six months required).",
    yes: "yes", no: "no", none: "none", forbidden: "Your roles do not allow this page.",
    error: "Error", done: "Done",
  },
  zh: {
    lang_switch: "English", nav_overview: "总览", nav_alerts: "告警", nav_search: "检索",
    nav_sources: "日志源", nav_terminals: "资产", nav_rules: "规则",
    inventory: "资产清单", unregistered: "未登记终端", owner: "负责人",
    department: "部门", value: "价值", registered: "已登记",
    rules_why: "用日志试运行 Sigma 规则：每行按守护进程的方式解析，然后匹配。",
    try_rule: "试运行", refused: "被拒绝", try_title: "试运行规则", file: "文件", state: "状态",
    rule_matches: "匹配次数", rule_cost: "开销（微秒/事件）",
    on: "启用", off: "停用", loaded_rules: "已载入 {n} 条规则（{r} 条被拒绝）", rule_summary: "载入 {r} 条规则，{n} 行日志，{m} 处匹配。",
    terminals_why: "DHCP 服务器和 arpwatch 发现的、资产清单中未登记的设备。",
    seen: "发现次数", nav_accounts: "账号", nav_audit: "审计记录", nav_report: "合规报告",
    logout: "退出", signin: "登录", user: "用户名", password: "密码",
    totp_code: "动态口令（认证器应用）", need_totp: "请输入认证器上的动态口令。",
    change_password: "修改密码", change_password_why: "一次性密码或已过期的密码须先修改。",
    old_password: "当前密码", new_password: "新密码", repeat_password: "再次输入新密码",
    passwords_differ: "两次输入的新密码不一致。", save: "保存",
    enrol_totp: "绑定第二认证因子", enrol_why: "管理员须使用动态口令登录。请将此密钥添加到认证器应用（TOTP，30 秒，6 位），然后输入显示的口令。",
    secret: "密钥", confirm: "确认",
    range: "时间范围", range_1h: "最近 1 小时", range_24h: "最近 24 小时", range_7d: "最近 7 天", range_30d: "最近 30 天",
    ind_open: "未处理告警", ind_weak: "发现的弱口令", ind_terminals: "未登记终端",
    ind_sqli: "SQL 注入检测", ind_ddos: "DDoS / 洪水攻击检测", ind_silent: "静默日志源",
    events_over_time: "事件趋势", alerts_over_time: "告警趋势", by_level: "告警级别分布",
    top_rules: "告警规则排行", top_sources: "攻击来源排行", top_targets: "攻击目标排行", top_hosts: "主机排行",
    source_countries: "来源国家/地区", open_by_age: "未处理告警时长",
    age_under_1h: "1 小时内", age_1h_to_24h: "1–24 小时", age_1d_to_7d: "1–7 天", age_over_7d: "超过 7 天",
    alerts: "告警", hits: "次", events: "事件", capped: "（仅统计到 {t}：计数以一秒为限）",
    level: "级别", status: "状态", title: "规则", first_seen: "首次发生", last_seen: "最近发生",
    count: "次数", risk: "风险", src: "源地址", dst: "目标", host: "主机", user_col: "用户",
    assignee: "处理人", take: "认领", group_by_rule: "按规则分组",
    any: "全部", acknowledge: "确认", escalate: "升级", close: "关闭", reason: "原因",
    reason_required: "关闭告警须填写原因。", selected: "已选 {n} 条", cancel: "取消",
    alert_detail: "告警详情", entity_history: "{v} 的历史", no_alerts: "没有告警。",
    status_open: "未关闭", status_all: "全部", status_new: "新", status_acknowledged: "已确认", status_escalated: "已升级", status_closed: "已关闭",
    query: "查询（字段:值，AND/OR/NOT，\"短语\"，通配符*）", run: "检索", time: "时间",
    decoder: "解析器", raw: "原始日志", results: "{n} 个事件", more: "还有更多：请缩小查询或时间范围",
    fields: "字段", pivot: "加入查询", export: "导出", save_search: "保存检索", saved_searches: "已保存的检索",
    search_name: "名称（可选）", search_saved: "已保存为“{name}”", delete_search: "删除此已保存的检索",
    search_deleted: "已删除“{name}”",
    name: "名称", roles: "角色", factor: "第二因子", disabled: "已停用", last_login: "最近登录",
    create_account: "创建账号", created_otp: "账号 {name} 已创建。一次性密码（仅显示一次）：{otp}",
    grant: "授予角色", pii_view: "可查看个人信息", enable: "启用", disable: "停用", reset: "重置密码",
    actor: "操作人", address: "来源地址", action: "操作", object: "对象", result: "结果",
    verify: "校验审计记录", verify_ok: "审计记录完整：{n} 条记录，{h} 个链头一致。",
    verify_bad: "审计记录已损坏：{n} 个问题。", older: "更早",
    input: "输入", last_seen_src: "最近接收", events_n: "事件数", first_seen_src: "首次接收",
    report_title: "合规报告（等保 2.0）", report_sources: "日志源与留存", report_accounts: "账号与认证因子",
    report_audit: "审计覆盖", print: "打印", retention: "事件至少保存 190 天（法规要求六个月）。",
    yes: "是", no: "否", none: "无", forbidden: "您的角色无权访问此页面。",
    error: "错误", done: "完成",
  },
};

let current = localStorage.getItem("vigil.lang") === "zh" ? "zh" : "en";

/** The text of key in the current language, {name} filled from vars. */
export function t(key, vars) {
  let s = (words[current] && words[current][key]) || words.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(String(v));
  return s;
}

export function lang() { return current; }

export function setLang(l) {
  current = l === "zh" ? "zh" : "en";
  localStorage.setItem("vigil.lang", current);
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
}
