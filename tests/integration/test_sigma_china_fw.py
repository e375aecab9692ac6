#!/usr/bin/env python3
"""test_sigma_china_fw.py — real SigmaHQ rules (../shared/sigma-rules) on the logs of
network devices common in China through `vigil hunt`: Huawei's BGP authentication rule
(logsource huawei/bgp) fires on a BGP line of a Huawei router and not on the same words
in another module; the firewall category's cleartext rule (dst_port and blocked "false")
fires on a USG policy permit to telnet and an H3C security-policy permit to ftp (and
on Qi-AnXin, NSFOCUS, Venustech, DPtech, TopSec and Sangfor permits), and not on their
denies or a permit to 22.
"""
import sys

from harness import hunt_cases, status


HW = "<190>Nov 25 2024 10:00:00 USG6000 %%01"
H3C = "<190>Nov 25 10:00:00 2024 FW1 %%10"

CASES = [
    ("network/huawei/bgp/huawei_bgp_auth_failed.yml", "a557ffe6-ac54-43d2-ae69-158027082350",
     ["<187>Nov 25 2024 10:00:10 RTR1 %%01BGP/3/BGP_AUTH_FAILED(l)[7]:BGP authentication "
      "failed. (PeerAddress=10.1.1.2:179, VpnInstance=_public_, Reason=MD5 digest mismatch)"],
     ["<187>Nov 25 2024 10:00:10 RTR1 %%01SOCKET/3/BGP_AUTH_FAILED(l)[7]:peer 10.1.1.2:179",
      "Nov 25 10:00:10 linuxhost bgpd[1]: BGP_AUTH_FAILED 10.1.1.2:179"]),
    ("network/firewall/net_firewall_cleartext_protocols.yml", "d7fb8f0e-bd5f-45c2-b467-19571c490d7e",
     [HW + "POLICY/6/POLICYPERMIT(l)[0]:vsys=public, protocol=6, source-ip=10.0.0.5, "
      "source-port=51234, destination-ip=198.51.100.23, destination-port=23, "
      "source-zone=trust, destination-zone=untrust, rule-name=out.",
      H3C + "SECP/6/SECP_PERMIT: Protocol(1001)=TCP;SrcIPAddr(1003)=10.0.0.8;"
      "SrcPort(1004)=50123;DstIPAddr(1007)=198.51.100.21;DstPort(1008)=21;Action(1053)=Permit;",
      # Qi-AnXin, NSFOCUS, Venustech (PRI 214), DPtech (hex addresses): permits to telnet/ftp
      "<134>Nov 25 10:00:00 nsg1 NSG: devid=3 dname=nsg logtype=1 sa=10.0.0.5 sport=51234 "
      "da=198.51.100.23 dport=23 proto=IPPROTO_TCP policy=允许",
      "<134>Nov 25 10:00:00 nf1 NF: type=fw_log;src_ip=10.0.0.5;dst_ip=198.51.100.21;"
      "src_port=50000;dst_port=21;proto=TCP;action=pass;",
      "<214>Nov 25 10:00:00 fw1 devid=FW01 type=filter SrcIP=10.0.0.5 DstIP=198.51.100.23 "
      "SrcPort=51234 DstPort=23 Protocol=TCP Action=accept",
      "<190>Nov 25 10:00:00 fw1 DPTECH: type:session,src-ip:0a000005,dst-ip:c6336417,"
      "src-port:51234,dst-port:23,protocol:tcp,action:permit",
      # TopSec access control (rule=accept), Sangfor AF application control (系统动作:允许)
      'id=tos time="2024-11-25 10:00:00" fw=TopsecOS  pri=6 type=ac  recorder=FW-NAT '
      "src=10.0.0.5 dst=198.51.100.23 sport=51234 dport=23 proto=tcp user= rule=accept "
      'connid=1 parentid=0 dpiid=0 natid=0 policyid=8059 msg="null"',
      "<134>Nov 25 10:00:00 AF fwlog: 日志类型:服务控制或应用控制, 用户:(null), "
      "源IP:10.0.0.8, 源端口:50123, 目的IP:198.51.100.21, 目的端口:21, 应用类型:文件传输, "
      "应用名称:FTP, 系统动作:允许"],
     [H3C + "SECP/6/SECP_DENY: Protocol(1001)=TCP;SrcIPAddr(1003)=10.0.0.8;"
      "SrcPort(1004)=50123;DstIPAddr(1007)=198.51.100.21;DstPort(1008)=21;Action(1053)=Deny;",
      "<134>Nov 25 10:00:00 nsg1 NSG: devid=3 dname=nsg logtype=1 sa=10.0.0.5 sport=51234 "
      "da=198.51.100.23 dport=23 proto=IPPROTO_TCP policy=拒绝",
      "<214>Nov 25 10:00:00 fw1 devid=FW01 type=filter SrcIP=10.0.0.5 DstIP=198.51.100.23 "
      "SrcPort=51234 DstPort=23 Protocol=TCP Action=deny",
      "<190>Nov 25 10:00:00 fw1 DPTECH: type:session,src-ip:0a000005,dst-ip:c6336417,"
      "src-port:51234,dst-port:23,protocol:tcp,action:deny",
      'id=tos time="2024-11-25 10:00:00" fw=TopsecOS  pri=6 type=ac  recorder=FW-NAT '
      "src=10.0.0.5 dst=198.51.100.23 sport=51234 dport=23 proto=tcp user= rule=deny "
      'connid=1 parentid=0 dpiid=0 natid=0 policyid=8035 msg="null"',
      "<134>Nov 25 10:00:00 AF fwlog: 日志类型:服务控制或应用控制, 用户:(null), "
      "源IP:10.0.0.8, 源端口:50123, 目的IP:198.51.100.21, 目的端口:21, 应用类型:文件传输, "
      "应用名称:FTP, 系统动作:拒绝",
      HW + "POLICY/6/POLICYDENY(l)[0]:vsys=public, protocol=6, source-ip=10.0.0.5, "
      "source-port=51234, destination-ip=198.51.100.23, destination-port=23, "
      "source-zone=trust, destination-zone=untrust, rule-name=out.",
      HW + "POLICY/6/POLICYPERMIT(l)[0]:vsys=public, protocol=6, source-ip=10.0.0.5, "
      "source-port=51234, destination-ip=198.51.100.22, destination-port=22, "
      "source-zone=trust, destination-zone=untrust, rule-name=out."]),
]


def main():
    hunt_cases(CASES)
    return status()


if __name__ == "__main__":
    sys.exit(main())
