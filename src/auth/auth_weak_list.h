/*
 * auth_weak_list.h — the weak passwords refused by the policy (auth_weak.c), lower case.
 * Two lists, as the 4A requirement asks: the most common passwords of English-speaking
 * users (the top of the public breach-derived lists: sequences, keyboard walks, names,
 * words) and of Chinese users (digit patterns read as words — 5201314 "I love you for
 * a lifetime", 1314 —, pinyin words and the common surnames that are combined with a
 * birth year, and the vendor defaults printed in Chinese device manuals). A listed word
 * also catches its variants with digits and symbols around it and common letter
 * substitutions (auth_weak.c), so "Password1!" and "Zhang@1990" are refused.
 */
#ifndef VIGIL_AUTH_WEAK_LIST_H
#define VIGIL_AUTH_WEAK_LIST_H

static const char *const weak_english[] = {
    "123456", "password", "123456789", "12345678", "12345", "1234567", "1234567890", "qwerty",
    "abc123", "111111", "123123", "000000", "1234", "iloveyou", "football", "monkey",
    "letmein", "shadow", "master", "666666", "qwertyuiop", "123321", "mustang", "michael",
    "654321", "superman", "1qaz2wsx", "7777777", "121212", "qazwsx", "123qwe", "killer",
    "trustno1", "jordan", "jennifer", "zxcvbnm", "asdfgh", "asdfghjkl", "hunter", "buster",
    "soccer", "harley", "batman", "andrew", "tigger", "sunshine", "charlie", "robert",
    "thomas", "hockey", "ranger", "daniel", "starwars", "112233", "george", "computer",
    "michelle", "jessica", "pepper", "zxcvbn", "555555", "11111111", "131313", "freedom",
    "777777", "maggie", "159753", "aaaaaa", "ginger", "princess", "joshua", "cheese", "amanda",
    "summer", "winter", "spring", "autumn", "love", "ashley", "nicole", "chelsea", "biteme",
    "matthew", "access", "yankees", "987654321", "dallas", "austin", "thunder", "taylor",
    "matrix", "admin", "administrator", "root", "toor", "welcome", "changeme", "passw0rd",
    "login", "guest", "secret", "dragon", "baseball", "qwerty123", "1q2w3e4r", "1q2w3e",
    "1q2w3e4r5t", "zaq12wsx", "zaq1zaq1", "qwe123", "asdf1234", "abcd1234", "abcdef",
    "test", "test123", "testing", "default", "oracle", "system", "manager", "server",
    "security", "company", "monday", "friday", "hello", "hello123", "whatever", "qwer1234",
    "flower", "purple", "orange", "banana", "chocolate", "cookie", "internet", "samsung",
    "google", "apple", "microsoft", "windows", "linux", "ubuntu", "debian", "cisco",
    "juniper", "router", "switch", "firewall", "network", "database", "mysql", "postgres",
    "letmein1", "welcome1", "password1", "p@ssword", "p@ssw0rd", "pa55word", "pass",
    "passpass", "1111", "0000", "222222", "333333", "444444", "999999", "101010",
    "1122334455", "147258", "147258369", "159357", "741852963", "963852741", "a1b2c3",
    "a1b2c3d4", "qazwsxedc", "1qazxsw2", "zxcv1234", "poiuytrewq", "mnbvcxz", "q1w2e3r4",
    "soccer1", "blink182", "naruto", "pokemon", "minecraft", "superstar", "liverpool",
    "arsenal", "barcelona", "chicken", "killer1", "hunter2", "sparky", "diamond", "silver",
    "golden", "jesus", "christ", "angel", "angels", "lovely", "loveme", "babygirl", "iloveu",
    "forever", "family", "friends", "princess1", "vigil", "siem", "changeit", "temp",
    "temp123", "guest123", "user", "user123", "support", "service", "operator", "backup",
};

static const char *const weak_chinese[] = {
    "woaini", "woaini1314", "woaini520", "5201314", "1314520", "520520", "5211314",
    "5201314520", "1314", "520", "woaiwojia", "woaimama", "woaibaba", "aini1314",
    "iloveyou1314", "qq123456", "a123456", "aa123456", "a123456789", "123456a", "123456aa",
    "abc123456", "qwe123456", "zxc123456", "asd123456", "111111a", "a111111", "a12345678",
    "aa12345678", "woshishui", "wodemima", "mima", "mima123", "zhongguo", "zhonghua",
    "beijing", "shanghai", "shenzhen", "guangzhou", "tianjin", "nanjing", "wuhan", "chengdu",
    "hangzhou", "chongqing", "xian", "baidu", "taobao", "tencent", "weixin", "alibaba",
    "huawei", "xiaomi", "lenovo", "zte", "h3c", "sangfor", "hillstone", "topsec", "venus",
    "qianxin", "nsfocus", "ruijie", "dptech", "xiaoming", "xiaohong", "xiaoxiao", "lovelove",
    "caonima", "dearbook", "yangyang", "tingting", "feifei", "jingjing", "lili", "wangwei",
    "liwei", "zhangwei", "wangfang", "wangjing", "lina", "liuyang", "zhangjie", "wangyang",
    "888888", "88888888", "666888", "168168", "518518", "123123123", "321321", "111222",
    "112233445566", "abc888", "a888888", "aaa111", "zhang", "wang", "chen", "yang", "huang",
    "zhao", "zhou", "xu", "sun", "zhu", "guo", "lin", "gao", "luo", "zheng", "liang", "xie",
    "tang", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "pan",
    "yuan", "cai", "jiang", "du", "cheng", "wei", "ding", "shen", "yao", "jin", "fan", "qiu",
    "dai", "xiong", "meng", "qin", "bai", "liu", "admin@123", "admin123", "admin888",
    "root123", "huawei@123", "huawei123", "aa123456!", "abc@123", "1qaz@wsx", "1qaz!qaz",
    "qwer!234", "sa123456", "sysadmin", "sys@123", "test@123", "p@ss1234", "zaq!2wsx",
    "tianya", "qingdao", "dalian", "xiamen", "suzhou", "zhangsan", "lisi", "wangwu",
    "laoban", "laogong", "laopo", "baobao", "beibei", "qwertyui", "shuaige", "meinv",
};

#endif
