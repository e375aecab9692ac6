#!/usr/bin/env python3
"""
make_benign.py -- regenerates benign.txt (this directory), byte for byte.

WHAT benign.txt IS
------------------
A corpus of BENIGN HTTP request parameter values: the kind of strings that
arrive in query strings, form fields and JSON-ish parameters of ordinary web
applications (search boxes, names, addresses, reviews, sort/filter/pagination
params, redirect targets, tokens and IDs, ...). One value per line.

WHY IT EXISTS
-------------
It is the negative set for measuring the FALSE-POSITIVE rate of the SIEM's
SQL-injection and XSS detectors. Benign traffic is where such detectors
embarrass themselves, so the corpus deliberately over-represents the "hard"
benign cases that real logs carry in realistic numbers:

  * apostrophes and quotes in searches and names (O'Brien, 5'11", "new york"
    hotels, Ben & Jerry's, L'Oréal, rock 'n' roll);
  * English prose that contains SQL keywords (select a colour, order by date,
    Union Station, delete my account, sleep apnea, 1 or 2 bedrooms) and
    searches ABOUT SQL (how do I use LIKE in sql, left join vs inner join);
  * programming / IT searches full of < > & ; ( ) = -- /* */ (std::vector<int>,
    a < b && c > d, <br> tag meaning, I <3 NY, C# async/await, regexes);
  * JSON documents, base64, JWTs, UUIDs, hashes, API-key/session/CSRF/OAuth
    shapes, URLs and paths used as values;
  * numbers, dates, money, phones, e-mails, coordinates, sort/filter params;
  * multilingual natural language (EN, ZH, JA, KO, FR, DE, ES, IT, PT, RU, AR,
    HE, EL, HI, TH, VI, PL, TR, ...) with punctuation and emoji;
  * user-agent strings, reviews/comments, markdown.

It contains NO attack payloads: no tautologies (' or 1=1), no UNION SELECT,
no stacked queries (;drop ...), no <script>/event-handler/javascript: vectors.
check_no_attacks() below enforces that with a conservative pattern list, so
that every detector hit on this file is a genuine false positive.

FORMAT OF benign.txt
--------------------
  * UTF-8, '\n' line endings, final newline; one value per line.
  * Values are the DECODED value the application receives, except ~3% of lines
    that are intentionally left percent-encoded as they appear in raw URLs
    (e.g. caf%C3%A9+au+lait, q%3Dfoo%26bar), because detectors must decode
    before judging.
  * No empty lines, no TAB, no embedded newline/CR, no line starting with '#'
    (consumers treat such lines as comments), no leading/trailing whitespace,
    no duplicates; 3,000-4,000 lines.

HOW IT IS BUILT
---------------
  1. Large hand-written lists (the HAND_* blocks; one value per line inside
     each raw triple-quoted block; block lines starting with '#' are comments
     of this script, never values).
  2. Template expansion for variety (names x phrases, cities x search
     templates, generated tokens/IDs/dates/JSON, ...) with a fixed-seed RNG;
     each template contributes only a handful of lines.
  3. A deterministic ~3% sample re-emitted in percent-encoded form.
  4. Order-preserving de-duplication, validation, a fixed-seed shuffle, write.

Determinism: only random.Random(SEED) is used (never the global RNG, never set
iteration order, clock, locale or environment), so running

    python3 make_benign.py            # writes benign.txt next to this script
    python3 make_benign.py --check    # verifies benign.txt is up to date

regenerates / verifies the file byte for byte.
"""

import base64
import hashlib
import json
import os
import re
import sys
import uuid
from random import Random
from urllib.parse import quote, quote_plus, unquote, unquote_plus

SEED = 20240917
OUT_NAME = "benign.txt"
MIN_LINES, MAX_LINES = 3000, 4000
PCT_SHARE = 0.03  # share of lines left percent-encoded


def block(text):
    """Split a hand-written block into values (strip; skip blanks/# comments)."""
    out = []
    for line in text.splitlines():
        v = line.strip()
        if v and not v.startswith("#"):
            out.append(v)
    return out


# ---------------------------------------------------------------------------
# 1. HAND-WRITTEN VALUES
# ---------------------------------------------------------------------------

# Search terms with apostrophes, quotes, ampersands (the #1 FP source).
HAND_SEARCH_QUOTES = block(r"""
don't stop believin'
"new york" hotels
rock 'n' roll
it's 5 o'clock somewhere
5'11" height
the "best" pizza in town
Ben & Jerry's
AT&T
R&D budget 2024
AT&T customer service hours
Ben & Jerry's cherry garcia near me
what's the weather like tomorrow
can't log in to my account
won't turn on after update
isn't it ironic lyrics
y'all means all t-shirt
ma'am vs madam
o'clock meaning
'til death do us part
rock 'n' roll hall of fame tickets
"to be or not to be" meaning
"the quick brown fox" full sentence
"hello world" in 20 languages
running shoes size 9 "wide fit"
"gluten free" bread recipe
6'2" basketball players
12" pizza vs 16" pizza
27" monitor 4k
65" tv wall mount
2x4 lumber 8' long
1/2" copper pipe fittings
3/4" plywood price
he said "no" and left
"I'm fine" she said
don't worry be happy
ain't no mountain high enough
we're not gonna take it
i'd rather be fishing
you've got mail
Schindler's List
Ocean's Eleven cast
Grey's Anatomy season 20
Hitchhiker's Guide to the Galaxy quotes
Harry Potter and the Philosopher's Stone
Sophie's World summary
Charlotte's Web book report
Alice's Adventures in Wonderland
Sgt. Pepper's Lonely Hearts Club Band
Guns N' Roses tour dates
Hawai'i volcanoes national park
Côte d'Ivoire visa requirements
Martha's Vineyard ferry schedule
St. John's wort side effects
Parkinson's early symptoms
Alzheimer's support group
Crohn's disease diet
Valentine's Day gifts for her
Mother's Day brunch
New Year's Eve fireworks 2024
St. Patrick's Day parade route
April Fools' pranks for kids
people's choice awards winners
children's books age 5
women's running shoes
men's haircut near me
kids' pajamas
farmers' market saturday
visitors' centre opening times
it's vs its
their vs there vs they're
who's vs whose
"affect" vs "effect"
"less" or "fewer"
quotes 'single' and "double"
'single quotes' in a search
"unbalanced quote search
unbalanced 'apostrophe search
it''s (typo with two apostrophes)
don’t forget the milk
“smart quotes” test
‘curly single’ quotes
« guillemets » en français
„Anführungszeichen“ auf Deutsch
「かぎ括弧」の使い方
"O'Reilly" books
O'Reilly Learning Python 5th ed.
the 'S' word
grade 'A' large eggs
"hot & spicy" wings
salt & pepper shaker set
mac & cheese recipe
fish & chips London
Johnson & Johnson stock
Procter & Gamble careers
P&G
M&M's peanut
B&Q opening hours
H&M return policy
A&W root beer
Q&A session
Black & Decker drill
Barnes & Noble coupon
Dolce & Gabbana
Marks & Spencer food hall
S&P 500 index
AT&T vs T-Mobile vs Verizon
tom & jerry cartoon
"where's waldo"
where's my order?
who's on first
how're you doing
that's what she said
"it's not a bug, it's a feature"
can't connect to wi-fi "no internet"
error "file not found"
"access denied" windows 11
"this site can't be reached"
"page not found" 404
"internal server error" 500 meaning
apple's stock price
Trader Joe's hours
McDonald's breakfast hours
Kohl's cash
Lowe's vs Home Depot
Dunkin' donuts
Wendy's frosty
Chili's menu
Domino's pizza coupon
Denny's near me
Sainsbury's delivery slots
Lloyd's of London
Moody's rating
Kellogg's cereal
Hershey's kisses
Reese's pieces
Campbell's soup
Land O'Lakes butter
Hellmann's mayonnaise
Kiehl's moisturizer
L'Occitane hand cream
Dr. Martens 1460
Carter's baby clothes
Claire's earrings
Sam's Club membership
BJ's wholesale
Papa John's
Nando's peri peri
Applebee's happy hour
Tom's of Maine toothpaste
Aunt Jemima's
Newman's Own dressing
Hunt's ketchup
Ghirardelli's
Bailey's irish cream
Jack Daniel's
Maker's Mark
Gordon's gin
Hendrick's
Smucker's
Mrs. Butterworth's
Ray's pizza
Joe's crab shack
Bob's red mill
Kellogg's Froot Loops
it's a wonderful life
you're the one that i want
i'm a believer
we'll meet again
they're here
she'll be coming 'round the mountain
it's my party
don't look back in anger
can't buy me love
'Round Midnight
rockin' around the christmas tree
singin' in the rain
goin' up the country
workin' 9 to 5
livin' on a prayer
the man who sold the world "nirvana"
"bohemian rhapsody" lyrics
"smells like teen spirit" chords
"let it be" piano tutorial
"stairway to heaven" solo tab
"hallelujah" leonard cohen
O Sole Mio
Auld Lang Syne
'S Wonderful
rock'n'roll
Ol' Man River
Finnegans Wake
Finnegan's Wake
Achilles' heel
Newton's 3rd law
Murphy's law
Moore's law
Ohm's law calculator
Pascal's triangle
Euler's identity
Fermat's last theorem
Schrödinger's cat
Occam's razor
Hanlon's razor
Pandora's box
Hobson's choice
Devil's advocate
Devil's Tower Wyoming
Adam's apple
Jacob's ladder
Noah's ark
Rubik's cube solve
Wilson's disease
Hashimoto's thyroiditis
Asperger's syndrome
Tourette's
Down's syndrome
Bell's palsy
Lou Gehrig's disease
Huntington's disease
Raynaud's phenomenon
Hodgkin's lymphoma
Addison's disease
Sjögren's syndrome
Ménière's disease
Cushing's syndrome
""")

# Personal names (single field values), incl. apostrophes, particles, scripts.
HAND_NAMES = block(r"""
O'Brien
O'Neil
O'Neill
D'Angelo
Dell'Acqua
N'Golo Kanté
Jean-Luc
Jean-Luc Picard
Mary-Kate O'Connor
Seán Ó Súilleabháin
Siobhán Ní Bhriain
Pádraig Ó Conchúir
D'Arcy
d'Artagnan
Conan O'Brien
Sinéad O'Connor
Georgia O'Keeffe
Shaquille O'Neal
Scarlett O'Hara
Flannery O'Connor
Eugene O'Neill
Peter O'Toole
Maureen O'Hara
Dolores O'Riordan
Rosie O'Donnell
Bill O'Reilly
Beto O'Rourke
Danny O'Donoghue
Ronan O'Gara
O'Shea
O'Sullivan
O'Malley
O'Keefe
O'Hare
O'Leary
O'Donnell-Smith
D'Souza
D'Costa
D'Amico
D'Onofrio
Dell'Orto
Dall'Ara
Sant'Anna
Gian-Carlo D'Alessandro
Ngũgĩ wa Thiong'o
Kealoha Ka'ahumanu
Ka'iulani
Kamehameha
'Akau'ola
Ma'afu
M'Baye
N'Diaye
N'Dour
Youssou N'Dour
Mbappé
Kylian Mbappé
Zoë Saldaña
Renée Zellweger
Chloë Grace Moretz
Beyoncé Knowles-Carter
Björk Guðmundsdóttir
Søren Kierkegaard
Åsa Lindström
Jürgen Müller
Müller-Lüdenscheidt
Günther Groß
Łukasz Żółć
Małgorzata Wójcik
Antonín Dvořák
Jiří Šťastný
Ştefan Ţurcanu
İlker Çağlar
Gülşen Öztürk
Nguyễn Văn An
Trần Thị Bích Ngọc
Lê Hoàng Phúc
José García-Márquez
María José Pérez de la Fuente
Juan Carlos de la Cruz
Ana Sofía Núñez
François L'Heureux
Hélène Lefèvre-Dubois
Anne-Marie d'Estaing
Marie-Ève Côté
Jean-Baptiste Lamarck
Pierre-Auguste Renoir
van der Berg
Ludwig van Beethoven
Vincent van Gogh
Johannes van der Waals
von Trapp
Ursula von der Leyen
Otto von Bismarck
de la Cruz
da Silva
dos Santos
João Gonçalves
Luís Inácio
DeShawn Williams
LaToya Jackson
De'Andre Hopkins
Ja'Marr Chase
D'Andre Swift
Le'Veon Bell
Ke'Bryan Hayes
Amar'e Stoudemire
Shai Gilgeous-Alexander
MacDonald
McAllister
MacIntyre
McDonald-Smith
Fitzgerald
St. John
St. Clair
Smith-Jones
Ahmed Al-Farsi
Abdul-Jabbar
Kareem Abdul-Jabbar
Ibn Battuta
Ibn Sina Medical Center
Martin Luther King, Jr.
John Smith III
Dr. Jane O'Hara, PhD
Prof. Dr. Hans-Peter Schmidt
Sir Patrick Stewart
Dame Judi Dench
Mr. & Mrs. Thompson
Robert "Bob" Smith
Dwayne "The Rock" Johnson
William 'Bill' Gates
Earvin "Magic" Johnson
Mike "The Situation" Sorrentino
Jennifer Null
Christopher Null
Null
Steve Union
Sarah Union-Jones
Amir Or
Tal Or
Ben-Or
Yael Or-Levi
Hannah Select
Ryan Case
Dwight Table
Mary Like
Elizabeth Having
Cher
Madonna
Prince
Teller
Zendaya
X Æ A-12
Li Na
张伟
王芳
李娜
刘洋
陈静
周杰伦
王小明
欧阳娜娜
司马懿
諸葛亮
黄晓明
山田太郎
佐藤花子
鈴木一郎
高橋 健太
たなか ゆうき
タナカ ユウキ
渡辺 美咲
김민준
이서연
박지훈
최유나
محمد علي
فاطمة الزهراء
عبد الله بن سعيد
أحمد المصري
دوید کهن
דוד כהן
שרה לוי
Иван Петров
Наталья Смирнова
Олександр Шевченко
Дмитрий Иванович Менделеев
Пётр Ильич Чайковский
Γιώργος Παπαδόπουλος
Ελένη Κωνσταντίνου
राहुल शर्मा
प्रिया पटेल
সুমন রায়
สมชาย ใจดี
Nguyễn Thị Minh Khai
Aung San Suu Kyi
Gruffydd ap Llywelyn
Dafydd ap Gwilym
Hallgrímur Pétursson
Þórunn Ólafsdóttir
Kåre Ødegård
""")

# Postal addresses and place names.
HAND_ADDRESSES = block(r"""
12 Rue de l'Église
St. Mary's Rd.
221B Baker Street, London NW1 6XE
1600 Pennsylvania Ave NW, Washington, DC 20500
350 5th Ave, Apt. #4B, New York, NY 10118
Unit 3/12 O'Connell St, Sydney NSW 2000
PO Box 1234
P.O. Box 77, Station "A"
c/o Smith & Sons Ltd.
Flat 2, 14 King's Road, Chelsea
Flat 3/1, 27 Queen's Drive, Glasgow G42 8BS
100 Main St #200
1 Infinite Loop, Cupertino, CA 95014
Suite 400 - Building 'C'
Bldg. 7, Fl. 3, Rm. 301
The Old Vicarage, Church Lane
Rose Cottage, Mill Lane, Nether Wallop
42 O'Connell Street Upper, Dublin 1, D01 T3Y5
St. Stephen's Green
Land's End, Cornwall
King's Cross St. Pancras
Earl's Court
Shepherd's Bush Green
Regent's Park
Lord's Cricket Ground
Martin's Lane
Pike Place Market, 85 Pike St
Fisherman's Wharf, San Francisco
St. Paul's Cathedral
St. Peter's Square, Vatican City
Notre-Dame de Paris
Sacré-Cœur, Montmartre
8 Avenue des Champs-Élysées, 75008 Paris
1 Place de l'Hôtel de Ville, 69001 Lyon
Rue du Faubourg Saint-Honoré
Quai d'Orsay
Chemin de l'Écluse 4, 1205 Genève
Königstraße 12, 70173 Stuttgart
Straße des 17. Juni 135, 10623 Berlin
Müllerstraße 3a, 80469 München
Am Hof 2, 1010 Wien
Bahnhofstrasse 1, 8001 Zürich
Calle de Alcalá, 42, 3º izq., 28014 Madrid
Passeig de Gràcia 92, 08008 Barcelona
Av. Paulista, 1578 - Bela Vista, São Paulo - SP
Rua Augusta, 1500 - apto 12
Avenida 9 de Julio s/n, Buenos Aires
Piazza San Marco, 30124 Venezia
Via dell'Orso 7, Roma
Via Sant'Antonio 15, Milano
Ul. Marszałkowska 10/12 m. 5, 00-590 Warszawa
ул. Ленина, д. 5, кв. 12
Невский проспект, 28, Санкт-Петербург
東京都千代田区千代田1-1
大阪府大阪市北区梅田3丁目1-3
〒150-0002 東京都渋谷区渋谷2-21-1
北京市朝阳区建国路88号
上海市浦东新区世纪大道100号
香港中環皇后大道中99號
서울특별시 중구 세종대로 110
شارع الملك فهد، الرياض
רחוב הרצל 10, תל אביב
Οδός Ερμού 25, Αθήνα 105 63
Rua 25 de Março, 1000
10 Downing St, London SW1A 2AA
Buckingham Palace, London SW1A 1AA
Rockefeller Center, 45 Rockefeller Plaza
Times Square - 7th Ave & Broadway
Broadway & W 42nd St
corner of 5th & Main
Hwy 101 N, exit 432
I-95 S / mile marker 42
Route 66
RR 2 Box 152
Lot 14, Mobile Home Park
Apartment 12-B (ring twice)
Dock 4; deliveries before 10am
Gate code: 1234*
2nd floor, left door
ground floor (no lift)
3rd house on the left, blue door
O'Hare International Airport (ORD)
Newark Liberty Int'l Airport
Charles de Gaulle (CDG) Terminal 2E
Frankfurt am Main Hbf
München Hbf Gleis 11
Zürich HB
Tōkyō Station
Union Station, Washington DC
Union Station to Grand Central
Union Square, San Francisco
Union City, NJ
Grand Central Terminal
Penn Station (NYP)
Coeur d'Alene, ID
Lake Havasu City, AZ
Martha's Vineyard, MA
St. Louis, MO 63101
Winston-Salem, NC
Wilkes-Barre, PA
Sault Ste. Marie, ON
Trois-Rivières, QC
L'Île-Bizard
Saint-Jean-sur-Richelieu
Llanfairpwllgwyngyll
Ōtautahi Christchurch
Māngere Bridge, Auckland
Reykjavík
Kraków
Łódź
Göteborg
Malmö
Düsseldorf
Curaçao
Bogotá D.C.
Ciudad de México, CDMX
Nuku'alofa, Tonga
Hagåtña, Guam
""")

# Ordinary prose containing SQL keywords, and searches *about* SQL/databases.
HAND_SQL_PROSE = block(r"""
select a colour from the list
how to update drivers
drop shipping union rates
order by date
delete my account
insert coin
where is the nearest store
sleep apnea treatment
benchmark results 2024
1 or 2 bedrooms
either 5 or 6 people
and/or
SQL tutorial for beginners
how do I use LIKE in sql
MySQL vs PostgreSQL
select * in css
group by in pandas
Select all that apply
select your country
please select a size
select one or more options
select a delivery date
select from the dropdown below
drop-down menu not working
drop off location
drop-off and pick-up times
drop the mic
drop me a line
drop shipping suppliers
dropbox login
table for 2 at 7pm
dining table and 6 chairs
coffee table oak
periodic table of elements
table tennis rules
round table discussion
Table Mountain cable car
truncate text css ellipsis
execute order 66
exec summary template
executive order 14028
union jack flag
european union member states
credit union near me
union pacific railroad
labor union dues
trade union act 1984
Union Berlin vs Bayern
update my address
update billing information
windows update stuck at 0%
how to update iPhone to iOS 18
update: package delayed
delete from cart
delete from recently watched netflix
how to delete instagram account
delete all emails from one sender gmail
remove and delete difference
insert the card into the reader
insert page numbers in word
insert a checkbox in excel
insert key on laptop
where to buy airpods
where to watch the office
where am I
where does the sun rise
where the crawdads sing
whereas vs where as
what to order at starbucks
order status
order by phone
order tracking number 1Z999AA10123456784
order of operations math
order of the phoenix
law and order svu
out of order sign
restraining order process
money order near me
order pizza online
"order by" clause explained
group by vs order by
having trouble logging in
having fun isn't hard
join us
join the waitlist
join zoom meeting
left join vs inner join
inner join example
full outer join diagram
sql join types venn diagram
cross join vs cartesian product
self join employee manager
null pointer exception java
null and void meaning
is null vs = null
null hypothesis definition
null island
COALESCE function
NVL vs COALESCE oracle
varchar vs nvarchar
char vs varchar in sql
primary key vs foreign key
create table syntax mysql
alter table add column postgres
how to drop a column in sql server
how to rename a table in mysql
truncate vs delete performance
sql injection prevention prepared statements
parameterized queries python sqlite3
what is an ORM
SQLAlchemy session commit
Django ORM filter contains
Entity Framework Core migrations
select top 10 in sql server
limit and offset pagination
row_number over partition by
window functions in postgres
CTE vs subquery
recursive CTE example
index on multiple columns
explain analyze output
vacuum full postgres
mysql workbench download
sqlite browser mac
oracle 19c installation guide
ms access database template
sql server management studio dark mode
how to select multiple rows in excel
select all shortcut mac
select case vba
select element html styling
css :has selector
jquery select by class
select2 dropdown search
where clause multiple conditions
count distinct values excel
sum if between two dates
vlookup vs index match
pivot table google sheets
how to join two tables in excel
merge vs join pandas
union of two sets python
union vs intersection math
union find algorithm
union type typescript
c union vs struct
sql union vs union all
exists vs in performance
case when then else end
if exists then update else insert
upsert in postgres on conflict
insert or ignore sqlite
replace into mysql
merge statement oracle
stored procedure vs function
trigger after insert example
how to drop a database from the command line
delete duplicate rows keep one
select distinct on multiple columns
schema vs database
information architecture course
data dictionary template
ERD diagram tool free
normalization 1nf 2nf 3nf
ACID properties explained
sharding vs partitioning
NoSQL vs SQL
MongoDB find with or condition
redis vs memcached
elasticsearch match vs term query
GraphQL vs REST
"select" keyword in go
select() system call linux
SELECT statement
sleep tracker app
sleep number bed
sleeping bag -20 degrees
sleep mode vs hibernate
how much sleep do teenagers need
waiting for delay on flight AA100
benchmark gpu 2024
geekbench score iphone 15
cinebench r23 results
bench press form
bench vise
wait for it meme
char broil grill parts
char siu pork recipe
charcoal vs gas grill
concat meaning
ascii table
hex color picker
version 2.0 release notes
user guide pdf
users and groups mac
admin panel login
password reset not working
forgot username
or else what
yes or no
true or false quiz
now or never
more or less
sooner or later
trick or treat times 2024
black or white
this or that questions
to be or not to be
dead or alive
win or lose
either/or fallacy
neither nor grammar
and yet it moves
rock and roll
salt and pepper
pride and prejudice
one and only
1 and 2
10 or more items
0 or 1
1 or 1
2 or 3 days shipping
3 or 4 person tent
4 or 5 star hotels
18 or older
21 and over
"or" vs "nor"
"and" in boolean search
AND OR NOT boolean operators
boolean search tips for recruiters
x AND y OR z
between 10 and 20 dollars
not like the others
like new condition
like a rolling stone
as if
in case of emergency
case study example
case sensitive password
lower case letters
upper case to lower case converter
all caps lock
count me in
count down timer 10 minutes
Count of Monte Cristo
sum of digits
average rainfall in Seattle
max and min temperature today
first come first served
last in first out
top 10 movies of all time
distinct shades of blue
group hug
group chat names
group by age brackets
having said that
from scratch
from here to eternity
from A to Z
into the wild
into the spider-verse
values and beliefs
set the table
set up printer
declare independence
declare variables in bash
begin again
end of the world
exec chair
shutdown timer windows 10
kill bill vol 2
grant application deadline
revoke access to google account
commit to memory
rollback prices walmart
cast of friends
convert pdf to word
substring vs slice javascript
length of nile river
mid century modern furniture
left or right
right join meaning
exit interview questions
load balancer vs reverse proxy
outfile meaning
dump truck rental
backup and restore iphone
""")

# Programming / IT searches and snippets full of < > & ; ( ) = -- /* */ etc.
HAND_CODE = block(r"""
std::vector<int>
a < b && c > d
x => x * 2
<br> tag meaning
how to escape < in html
if (a == b) return;
C# async/await
regex [a-z]+@[a-z]+\.com
2 + 2 = 4
5 > 3
-- double dash
trending #hashtag
the #1 best seller
/* comment */ in css
javascript tutorial
alert box css
onload event explained
script writing course
<3
I <3 NY
a<b
i <3 u
love you <3 <3
map<string, int> c++
std::unique_ptr<Foo>
std::cout << "hello" << std::endl;
List<Map<String, Object>> java
Dictionary<TKey, TValue>
Promise<void>
Array<T> vs T[]
Option<Box<dyn Error>>
Result<(), io::Error>
Vec<&str>
fn main() { println!("hi"); }
print("Hello, World!")
console.log('hello')
System.out.println("x = " + x);
printf("%d\n", n);
for (int i = 0; i < n; i++)
while (true) { }
do { } while (x > 0);
x += 1
i++ vs ++i
a != b
a !== b
a ?? b
a?.b?.c
x || y
a && b
!important css
$_GET['id'] php
$this->db->where('id', $id)
echo "Hello $name";
@media (max-width: 600px)
div > p selector
ul li:nth-child(2n+1)
a[href^="https"]
input[type="checkbox"]:checked + label
:root { --main-color: #06c; }
calc(100% - 20px)
rgba(0,0,0,0.5)
color #fff vs #ffffff
font-family: "Helvetica Neue", Arial, sans-serif;
margin: 0 auto;
display: flex; justify-content: center;
z-index not working
box-shadow: 0 2px 4px rgba(0,0,0,.2)
transition: all .3s ease-in-out
git commit -m "fix typo"
git reset --hard HEAD~1
git log --oneline --graph
git rebase -i HEAD~3
rm -rf node_modules
npm install --save-dev eslint
npm run build -- --watch
yarn add react@18
pip install "requests>=2.31"
python -m venv .venv
docker run -p 8080:80 nginx
docker-compose up -d --build
kubectl get pods -n kube-system
helm install my-release bitnami/nginx
curl -X POST -H "Content-Type: application/json"
curl -sSL https://get.docker.com | sh
ssh user@host -p 2222
scp file.txt user@server:/tmp/
chmod 755 script.sh
chown -R www-data:www-data /var/www
ls -la | grep ".txt"
find . -name "*.py" -exec wc -l {} +
echo $PATH
export PATH=$PATH:/usr/local/bin
sudo apt-get update && sudo apt-get upgrade
2>&1 meaning
cmd > out.txt 2>&1
cat file | sort | uniq -c
ps aux | grep java
awk '{print $1}' file.txt
sed 's/foo/bar/g'
tar -xzvf archive.tar.gz
grep -E "^[0-9]{3}-[0-9]{4}$"
^\d{5}(-\d{4})?$
\b\w+@\w+\.\w+\b
(?i)hello
[^a-zA-Z0-9]
.*?
\s+ vs \s*
^(?=.*[A-Z])(?=.*\d).{8,}$
lambda x: x ** 2
def __init__(self):
if __name__ == "__main__":
import numpy as np
from typing import Optional
df.groupby('col').sum()
df[df['age'] > 30]
df.loc[df['a'] == 1, 'b']
np.where(arr > 0, 1, -1)
[x for x in range(10) if x % 2 == 0]
dict.get(key, default)
try: ... except Exception as e:
async def fetch(url):
await asyncio.sleep(1)
time.sleep(0.5) vs asyncio
Thread.sleep(1000) java
setTimeout(() => {}, 1000)
document.getElementById('app')
document.querySelector('.btn')
window.location.href vs window.location.replace
addEventListener('click', handler)
e.preventDefault()
JSON.parse vs JSON.stringify
fetch('/api/users').then(r => r.json())
useEffect(() => {}, [])
const [state, setState] = useState(0);
export default function App() {}
<div className="container">
v-if vs v-show
{{ variable }} jinja
{% for item in items %}
${var} in bash
%PATH% windows
C:\Program Files (x86)\
C:\Users\John\Documents\report.docx
\\fileserver\share\Q3 reports
/usr/local/bin/python3
~/.bashrc
../config/settings.yaml
./configure && make && make install
0.1 + 0.2 != 0.3
1e-9
NaN
undefined is not a function
Cannot read properties of undefined (reading 'map')
Uncaught SyntaxError: Unexpected token '<'
Uncaught ReferenceError: $ is not defined
TypeError: 'NoneType' object is not subscriptable
error: 'NoneType' object has no attribute 'get'
TypeError: can't multiply sequence by non-int of type 'float'
IndentationError: unexpected indent
ModuleNotFoundError: No module named 'cv2'
ORA-00942: table or view does not exist
ORA-01017: invalid username/password; logon denied
ERROR 1064 (42000): You have an error in your SQL syntax
ERROR 1045 (28000): Access denied for user 'root'@'localhost'
SQLSTATE[23000]: Integrity constraint violation
psql: FATAL: role "postgres" does not exist
Msg 208, Level 16: Invalid object name 'dbo.Orders'
java.lang.NullPointerException
Exception in thread "main" java.lang.OutOfMemoryError
segmentation fault (core dumped)
exit code 137 docker
HTTP 403 Forbidden
CORS error "No 'Access-Control-Allow-Origin' header"
ERR_CONNECTION_REFUSED
NET::ERR_CERT_DATE_INVALID
404 not found nginx
502 bad gateway cloudflare
<!DOCTYPE html>
<!-- comment --> in html
&nbsp; vs &#160;
&lt;div&gt;
&amp; in xml
&copy; 2024 Acme Corp
&#39; apostrophe entity
%20 vs + in urls
UTF-8 vs UTF-16
base64 encode online
url encode space
C++ vs C#
F# tutorial
.NET 8 LTS
Node.js 20
Vue.js vs React
ASP.NET Core MVC
Objective-C blocks
x86-64 assembly
a*b+c
(a+b)^2
e^(i*pi) + 1 = 0
sqrt(2)
f(x) = 3x^2 + 2x - 1
∑ from i=1 to n
∫ x dx
π ≈ 3.14159
x ≥ 0 and y ≤ 10
3 × 4 = 12
10 ÷ 2
n! = n * (n-1)!
O(n log n)
P vs NP
<p> vs <div>
<b>bold</b> text in html
<i> vs <em>
<ul> list bullet style
<table> vs css grid
<span> inline element
<input type="date"> safari
<select> multiple
<textarea> resize none
<label for="email">
<h1> font size default
<a> tag without href
<hr> thickness
<canvas> drawing tutorial
<picture> element srcset
<dialog> element support
<pre> and <code> difference
html5 <nav> semantic
react <Fragment>
<Route path="/"> react router
Vue <template> v-for key
Angular *ngFor trackBy
@Input() decorator
@Override annotation
@SpringBootApplication
#include <stdio.h>
int main(void) { return 0; }
char *argv[]
void* pointer cast
int arr[10] = {0};
struct Node { int val; Node* next; };
&& vs & in java
>> vs >>> in javascript
<< operator c++
<= vs =>
=== vs == javascript
:= walrus operator
-> vs => php
:: scope resolution
?: elvis operator
!! double bang
^ xor operator
~ tilde in package.json
| pipe in bash
|| vs or in python
`backticks` in markdown
'single' vs "double" quotes in python
f"{name!r}"
r'\d+' raw string
b'\x00\x01' bytes
"\n" vs '\n'
\t tab character
\u00e9 unicode escape
\' escape apostrophe
\"escaped quotes\"
'It''s' in sql string literal
how to escape single quote in sql
how to escape apostrophe in mysql
escape double quotes in json
php htmlspecialchars vs htmlentities
what is xss
what is sql injection
OWASP top 10 2021
CSP header example
same-site cookie attribute
httponly cookie flag
CSRF token in ajax
JWT vs session cookies
bcrypt vs argon2
OAuth 2.0 PKCE flow
SAML vs OIDC
TLS 1.3 handshake
RSA-2048 key size
sha256sum file linux
md5 hash generator
password strength checker
two-factor authentication setup
yubikey setup
ssh-keygen -t ed25519
-----BEGIN PUBLIC KEY-----
ip addr show
ping 8.8.8.8 -c 4
traceroute google.com
nslookup example.com
netstat -tulpn
iptables -L -n
ufw allow 22/tcp
systemctl restart nginx
journalctl -u sshd --since "1 hour ago"
crontab -e every 5 minutes
*/5 * * * *
0 0 * * 0
cron expression generator
robots.txt disallow
sitemap.xml example
.htaccess redirect 301
nginx location ~* \.(jpg|png)$
Apache mod_rewrite RewriteRule
Content-Type: text/html; charset=utf-8
Accept-Language: en-US,en;q=0.9
Cache-Control: no-cache, no-store
multipart/form-data boundary
application/x-www-form-urlencoded
text/plain;charset=UTF-8
image/svg+xml mime type
""")

# JSON documents passed as a single parameter value.
HAND_JSON = block(r"""
{"id":123,"name":"O'Brien","tags":["a","b"]}
{"query":"select","filter":{"price":{"gte":10}}}
[1,2,3]
{"msg":"he said \"hi\""}
{}
[]
{"a":null}
{"ok":true}
{"page":2,"per_page":50}
{"sort":[{"field":"created_at","order":"desc"}]}
{"q":"rock 'n' roll","type":"album"}
{"where":{"status":"active","age":{"$gt":18}}}
{"name":"Ben & Jerry's","category":"ice cream"}
{"title":"Don't Stop Me Now","artist":"Queen"}
{"comment":"Great product! 5/5 <3"}
{"html":"<b>bold</b> and <i>italic</i>"}
{"path":"C:\\Users\\jdoe\\Desktop"}
{"regex":"^[a-z0-9_-]{3,16}$"}
{"expr":"a < b && c > d"}
{"select":["id","name","email"],"limit":25}
{"order":"name asc","offset":0}
{"union":"EU","members":27}
{"delete":false,"archive":true}
{"update_at":"2024-05-01T12:00:00Z"}
{"drop":"zone-3","pickup":"zone-1"}
{"lang":"fr","text":"Qu'est-ce que c'est ?"}
{"lang":"de","text":"Größe: 42 – „Sonderangebot“"}
{"lang":"zh","text":"你好，世界！"}
{"lang":"ja","text":"こんにちは、世界。"}
{"emoji":"🎉🔥👍","count":3}
{"coords":[52.5200,13.4050]}
{"bbox":[-122.52,37.70,-122.35,37.83]}
{"price":{"min":10,"max":99.99},"currency":"EUR"}
{"items":[{"sku":"A-100","qty":2},{"sku":"B-7","qty":1}]}
{"user":{"id":42,"roles":["admin","editor"]}}
{"filters":{"color":["red","blue"],"size":"M"}}
{"a":{"b":{"c":{"d":1}}}}
[{"op":"replace","path":"/name","value":"O'Neil"}]
[{"op":"add","path":"/tags/-","value":"sale"}]
{"query":"query { user(id: 1) { name email } }"}
{"query":"mutation { updateUser(id: 5, name: \"Zoë\") { id } }"}
{"operationName":"GetProducts","variables":{"first":20,"after":"Y3Vyc29yOjIw"}}
{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"}
{"event":"click","target":"#buy-now","ts":1717171717}
{"event":"page_view","page":"/checkout?step=2"}
{"utm_source":"newsletter","utm_medium":"email"}
{"consent":{"analytics":false,"marketing":false}}
{"theme":"dark","fontSize":14,"lineHeight":1.5}
{"columns":["name","price"],"sort":"-price"}
{"text":"50% off!!! use code SAVE50"}
{"note":"leave at door; ring bell -- thanks!"}
{"address":"12 Rue de l'Église","city":"Paris"}
{"search":"\"new york\" hotels","page":1}
{"k":"v","n":1.5e3,"b":false,"z":null}
{"unicode":"\u00e9\u00e8\u00ea"}
{"nested":[[1,2],[3,[4,5]]]}
{"date":"2024-02-29","tz":"Europe/Berlin"}
{"description":"100% cotton; machine wash cold"}
{"url":"https://example.com/a?b=c&d=e"}
{"redirect_uri":"https://app.example.com/callback"}
["red","green","blue"]
["O'Brien","O'Neil","D'Angelo"]
[0.5,1.25,-3]
[true,false,null]
[[]]
"just a json string"
42
3.14
true
null
{ "spaced" : "keys" , "x" : 1 }
{'single':'quoted','python':'dict'}
{key: "unquoted js object"}
{"condition":"a or b","flag":"1 or 2"}
{"sql":"SELECT name FROM products","readonly":true}
{"script":"Romeo and Juliet, Act 2"}
""")

# URLs, paths and redirect targets as parameter values.
HAND_URLS = block(r"""
https://example.com/a?b=c&d=e
/en-us/products/item-12
mailto:a@b.com
tel:+1-555-0100
/account/settings#profile
https://www.google.com/search?q=o%27brien
https://en.wikipedia.org/wiki/Rock_%27n%27_roll
https://en.wikipedia.org/wiki/Union_Station_(Los_Angeles)
https://www.amazon.com/dp/B08N5WRWNW/ref=sr_1_1?keywords=usb-c+cable
https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s
https://youtu.be/dQw4w9WgXcQ?si=abc123
https://maps.google.com/?q=48.8584,2.2945
https://github.com/torvalds/linux/blob/master/README
https://stackoverflow.com/questions/11227809/why-is-processing-a-sorted-array-faster
https://docs.python.org/3/library/re.html#regular-expression-syntax
https://shop.example.co.uk/basket?promo=SPRING24
https://cdn.example.net/img/hero@2x.webp
https://api.example.com/v2/users/42/orders?status=open&limit=10
https://example.org/search?q=caf%C3%A9&lang=fr
https://news.ycombinator.com/item?id=38471822
https://twitter.com/search?q=%23python&src=typed_query
https://www.reddit.com/r/AskReddit/comments/abc123/whats_your_favorite/
https://login.example.com/oauth2/authorize?client_id=abc&response_type=code
https://example.com/#/dashboard
https://example.com/path/with;matrix=params
https://user@example.com:8443/secure/
http://localhost:3000/
http://127.0.0.1:8000/admin/
http://192.168.1.1
http://[::1]:8080/health
ftp://ftp.example.org/pub/README.txt
file:///C:/Users/Public/Documents/
sftp://deploy@files.example.com/uploads
ws://localhost:8080/socket
wss://stream.example.com/v1/feed
s3://my-bucket/logs/2024/06/01/
git@github.com:owner/repo.git
market://details?id=com.example.app
itms-apps://apps.apple.com/app/id123456789
spotify:track:4uLU6hMCjMI75M1A2tKUQC
magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a
urn:isbn:978-0-596-52068-7
doi:10.1000/182
sms:+15550100?body=hello
geo:37.786971,-122.399677
webcal://calendar.example.com/team.ics
data.csv
report_final_v2 (1).pdf
IMG_20240601_123456.jpg
Screenshot 2024-06-01 at 10.15.32.png
résumé – Zoë.docx
my file (copy) [2].txt
/
/index.html
/search
/search?q=shoes
/cart
/checkout/step-2
/account/orders/12345
/help/faq#returns
/blog/2024/05/what's-new-in-v3
/products/levis-501-original-fit-jeans
/de/produkte/größentabelle
/fr/catégories/été
/ja/商品/12
/static/css/main.4f3a2b.css
/api/v1/search?q=a+b
/wp-admin/
/login?next=/dashboard
/logout?return=/
../images/logo.png
./assets/fonts/Inter.woff2
~/Downloads
/home/user/My Documents
/var/log/nginx/access.log
/etc/hosts
C:\Windows\System32\drivers\etc\hosts
D:\Photos\2023\Hawai'i trip\IMG_0001.JPG
\\nas01\Public\Music
https://example.com/dashboard?tab=billing
https://example.com/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz
https://example.com/unsubscribe?email=jane%40example.com&token=8f14e45f
https://example.com/r/Ab3Xz9
https://bit.ly/3xYzAbC
https://t.co/AbCdEf1234
https://goo.gl/maps/abcd1234
example.com
www.example.com
sub.domain.example.co.jp
xn--bcher-kva.example
bücher.example
例え.テスト
localhost
""")

# Natural-language sentences / messages in many languages, with punctuation.
HAND_PROSE = block(r"""
Hello (again); see you -- bye
Q&A: what's new?
50% off!!!
100% cotton; machine wash
Hi there! Quick question: do you ship to Canada?
Thanks so much :) see you tomorrow...
I'll be 10 minutes late -- traffic on I-5 :(
Can we reschedule to Tue/Wed? Mon's a holiday.
Please call me back at your earliest convenience.
Meeting moved to 3:30pm (room 4B).
FYI: the wifi password changed; it's on the fridge.
Happy birthday!!! 🎂🎉
congrats on the new job 👏👏
lol that's hilarious 😂
ok
OK!
k
yes
no
maybe?
N/A
n/a
none
-
--
...
?
!
:)
:-)
;)
:-(
:P
^_^
¯\_(ツ)_/¯
(╯°□°)╯︵ ┻━┻
(๑•̀ㅂ•́)و✧
<-- click here
-->
=>
TBD
TODO: fix later
see attached (p. 3-4)
re: your order #4471
Re: Re: Fwd: quarterly numbers
P.S. don't forget the keys!
N.B. prices exclude VAT
e.g., apples, pears, etc.
i.e. the "final" version
vs.
a.k.a. "the boss"
w/o sugar
w/ extra cheese
24/7 support
9-5 weekdays only
Mon–Fri 09:00–17:30
closed on Sundays & public holidays
The quick brown fox jumps over the lazy dog.
It was the best of times, it was the worst of times...
To be, or not to be: that is the question.
All that glitters is not gold; often have you heard that told.
"Be yourself; everyone else is already taken." -- Oscar Wilde
I think, therefore I am (cogito, ergo sum).
Veni, vidi, vici.
Carpe diem!
Keep calm and carry on
Where there's a will, there's a way.
Don't count your chickens before they hatch.
Actions speak louder than words.
Better late than never — but never late is better.
An apple a day keeps the doctor away?
One small step for man; one giant leap for mankind.
Bonjour ! Comment ça va ?
Qu'est-ce que c'est ?
J'ai réservé une table pour deux à 20h.
C'est la vie…
Il n'y a pas de quoi.
Je n'aime pas les épinards ; je préfère les haricots.
L'été dernier, nous sommes allés à l'île d'Oléron.
Aujourd'hui, c'est « jour de fête » !
Où est la gare, s'il vous plaît ?
Ça coûte 12,50 € TTC.
Guten Tag! Wie geht's?
Können Sie mir helfen?
Ich hätte gern ein Bier, bitte.
Straßenbahn fällt heute aus – bitte Ersatzverkehr nutzen.
Öffnungszeiten: Mo.–Fr. 8–18 Uhr
Größe 42, Farbe: dunkelblau (Restposten!)
Vielen Dank für Ihre Bestellung.
Das ist mir Wurst.
„Die Würde des Menschen ist unantastbar.“
Schöne Grüße aus München!
¡Hola! ¿Qué tal?
¿Dónde está el baño?
Me gustaría reservar una habitación doble, por favor.
¡Feliz cumpleaños, mamá! 🎈
El envío tarda 3–5 días hábiles.
Mañana será otro día.
Año nuevo, vida nueva.
No pasa nada, tranquilo.
Ciao! Come stai?
Grazie mille per l'aiuto.
Un caffè e un cornetto, per favore.
Dov'è l'albergo?
Olá, tudo bem?
Obrigado pela atenção!
Não sei, talvez amanhã.
Hoje é sexta-feira!
Hallo, hoe gaat het?
Dank je wel!
Hej! Hur mår du?
Tack så mycket!
Hei, hvordan går det?
Kiitos paljon!
Dzień dobry! Jak się masz?
Dziękuję bardzo.
Ahoj, jak se máš?
Jó napot kívánok!
Merhaba, nasılsın?
Teşekkür ederim.
Привет! Как дела?
Спасибо большое!
Где находится ближайшая аптека?
Доставка: 2–3 рабочих дня.
Добрий день! Дякую!
Γεια σου! Τι κάνεις;
Ευχαριστώ πολύ.
שלום, מה שלומך?
תודה רבה!
مرحبا، كيف حالك؟
شكراً جزيلاً!
أين أقرب محطة مترو؟
سلام، حالت چطوره؟
नमस्ते, आप कैसे हैं?
धन्यवाद!
হ্যালো, কেমন আছেন?
வணக்கம்!
สวัสดีครับ สบายดีไหม
ขอบคุณมากค่ะ
Xin chào! Bạn khỏe không?
Cảm ơn bạn rất nhiều.
Selamat pagi! Apa kabar?
Terima kasih banyak.
Kumusta ka?
Habari yako?
Sawubona!
你好！最近怎么样？
谢谢你的帮助。
请问，最近的地铁站在哪里？
今天天气很好，我们去公园吧！
这个多少钱？
我想订一张去上海的火车票。
周末愉快～
不好意思，我迟到了（堵车）。
“学而时习之，不亦说乎？”
你吃饭了吗?
新年快乐！🧧
我爱北京天安门
手机号码：138-0013-8000
價格：NT$1,200（含稅）
謝謝您的耐心等候。
こんにちは！お元気ですか？
ありがとうございます。
すみません、駅はどこですか？
明日の会議は10時からです（場所：第3会議室）。
よろしくお願いします。
美味しいラーメン屋さんを教えて！
「吾輩は猫である」の作者は？
お疲れ様でした〜
東京タワーの営業時間
안녕하세요! 잘 지내세요?
감사합니다.
내일 봐요~
이거 얼마예요?
Hello, world!
Hello, World
hello world!!!
HELLO WORLD
hi
hey 👋
good morning ☀️
gn 🌙
brb
omw
ty!
thx
np
idk
imo it's fine
tl;dr: it works
ETA 5 min
ASAP please!!
URGENT: call me
Sent from my iPhone
-- sent from mobile, excuse typos --
Cheers,
Best regards,
Kind regards, Jane
Sincerely yours
Yours faithfully
xoxo
<3 mom
Love, Dad
Dear Sir/Madam,
To whom it may concern:
Hi team -- quick update: we shipped v2.1; rollout is 50% done.
Note to self: buy milk, eggs, bread (& coffee!)
Shopping list: milk; eggs; bread; butter
1) preheat oven 2) mix 3) bake 25 min
Step 1: unplug. Step 2: wait 30s. Step 3: plug back in.
A + B = C?
Is 0.999... = 1?
Why is the sky blue?
What's 15% of 80?
how many oz in a cup
how many ml in a tablespoon
convert 5'7" to cm
what time is it in Tokyo
how far is the moon
is it going to rain today?
are dolphins mammals
who won the game last night
when is Easter 2025
why do cats purr
what does "rsvp" stand for
what does ;) mean in a text
what is the meaning of life?
how to tie a tie
how to boil an egg
how to make "perfect" scrambled eggs
how to say "thank you" in Japanese
how do you spell "necessary"
define: serendipity
synonym for happy
antonym of "generous"
rhymes with orange
pronunciation of "quinoa"
translate "je ne sais quoi"
meaning of "c'est la vie"
"carpe diem" tattoo ideas
""")

# Reviews, comments, support messages, free-text form fields.
HAND_REVIEWS = block(r"""
Great product, would buy again!
Works as described. 5/5
Terrible customer service -- never again.
Arrived broken :( box was crushed
It's OK, not great. 3 stars.
Love it!!! <3 <3 <3
Best purchase I've made all year 🙌
Fits true to size; I'm 5'8" and ordered a M.
Runs small -- order one size up.
Color is more "navy" than "royal blue" IMO.
The "waterproof" claim is a joke; my feet got soaked.
Battery lasts ~2 days with moderate use.
Setup took 5 min. Easy peasy.
Instructions were in Chinese only (?!)
Doesn't work with Mac OS 14 -- returned it.
Would give 0 stars if I could.
10/10 would recommend to a friend
Not worth the $$$
Worth every penny.
Meh.
Exactly what I needed. Thanks!
Delivery was fast (2 days) but packaging was excessive.
Seller was very responsive & helpful.
The app crashes when I click "Save" -- please fix!
Can't select my state from the drop-down (Puerto Rico missing).
Where's the "delete account" option? I can't find it.
Please remove my email from your list.
Order #A-10293 hasn't arrived yet; tracking says "label created".
I was charged twice for order 88123 -- please refund one.
Hi, my promo code SUMMER-20 says "invalid".
The password reset link says "expired". Help?
Login page shows a blank screen in Firefox.
Can I change my delivery address after ordering?
Is this item compatible with iPhone 15 Pro Max?
Does the 32" version have HDMI 2.1?
Is it dishwasher safe?
What's the return policy on sale items?
Do you price match Best Buy?
Any discount for students/teachers?
Will this fit a queen-size bed (60" x 80")?
How long is the warranty -- 1 yr or 2?
Is the 'Large' a US or EU size?
The food was amazing; the service, not so much.
Waiter was rude, but the steak was perfect (medium-rare, as ordered).
Great view from room 1204! Breakfast included :)
Noisy at night -- the bar downstairs is open 'til 2am.
Pool was closed for "maintenance" the whole week.
Check-in took 45 minutes. Unacceptable.
Staff went above & beyond for our anniversary ❤️
Parking is $35/night -- ouch.
The hotel's "sea view" was a parking lot.
Five stars for the chef; one star for the wait.
Highly recommend the tiramisu!!
Ordered the pad thai (spicy level 3/5) -- perfect.
A bit pricey, but you get what you pay for.
My kids (4 & 7) loved it.
Assembly required: 2 hours & lots of swearing.
Missing screw #14 -- had to go to Home Depot.
Looks cheap in person; photos are misleading.
This book changed my life. Seriously.
Couldn't put it down -- finished it in one night!
The ending was... disappointing.
Spoiler alert: the butler did it.
Chapter 3 drags on, but it picks up after that.
Translation is awkward in places ("he made a face of surprise").
Audio quality is superb; bass is a bit heavy.
Noise cancelling works great on planes ✈️
Left earbud stopped working after 3 weeks.
Customer support replaced it within a week -- kudos!
I'd give it 4.5/5 if I could.
Rating: ★★★★☆
★★★★★ amazing
☆☆☆☆☆
A+++ seller
Perfect gift for my dad (he's 70 & not tech-savvy).
Good value for money; not the best build quality though.
Comfortable, but the strap digs in after an hour or so.
Smells like chemicals -- had to air it out for a day.
Make sure to select "gift wrap" at checkout!
FYI -- the 'M' is more like an 'S'.
Would love a dark mode in the app please 🙏
Feature request: export to CSV/XLSX.
Bug: the date picker shows 31 Feb.
Minor typo on the about page: "recieve" -> "receive".
Your site says "error 500" when I try to checkout.
The search can't find "T-shirt" but finds "tshirt".
Searching for "O'Neill" returns nothing -- is the apostrophe the problem?
Great article! One question: does this apply to Python 3.12 too?
Thanks for the tutorial -- step 4 saved me hours.
In step 2, shouldn't it be "npm ci" instead of "npm install"?
This worked for me, but I had to add `sudo` first.
+1, same issue here on Windows 11 (build 22631).
Same problem. Any update?
Fixed it by clearing the cache (Ctrl+Shift+R).
Try turning it off and on again ;)
Not a bot, I promise.
First!
lol
This.
^ this
Agreed 100%.
Disagree -- the 2nd option is better, IMHO.
Source? [citation needed]
Edit: fixed formatting.
EDIT 2: nvm, found it.
Update: seller contacted me & sent a replacement. Changing to 5 stars.
UPDATE (3 months later): still going strong.
Pros: light, cheap. Cons: flimsy, loud.
Pros - fast; Cons - pricey
Verdict: buy it.
Just "meh" overall.
I don't understand the hype.
Why is everyone saying it's "life-changing"??
Shipping to Alaska/Hawaii is $$$ -- be aware.
Delivered to the wrong address (123 Main St. vs 123 Main Ave.)
Left at the door in the rain -- box soaked.
Driver was super friendly 👍
Fragrance is too strong for me; my wife loves it though.
Tastes like cardboard.
Best coffee beans I've tried -- dark roast, not bitter.
Decaf tastes just like regular!
The "gluten-free" label is misleading; contains barley.
Contains nuts -- not mentioned in the listing!!
Not for sensitive skin; broke me out :(
My dog (Labrador, 32kg) loves this bed.
Cat ignored it completely. Typical.
Plant arrived healthy & well-packed 🌱
Seeds never germinated.
""")

# Product names, brands, titles, SKUs as users type/search them.
HAND_PRODUCTS = block(r"""
Levi's 501® Jeans
Macy's
McDonald's
L'Oréal
L'Oréal Paris Revitalift
Kellogg's Corn Flakes™
Coca-Cola® Zero Sugar 12 fl oz (355 mL)
Dr Pepper
7-Eleven
Toys"R"Us
Yahoo!
Panic! at the Disco
Wham!
Jeopardy!
Godspeed You! Black Emperor
Guns N' Roses
AC/DC
Earth, Wind & Fire
Simon & Garfunkel
Florence + the Machine
Mumford & Sons
Hall & Oates
Crosby, Stills, Nash & Young
Sly & the Family Stone
Sigur Rós
Motörhead
Mötley Crüe
Blue Öyster Cult
Beyoncé – Lemonade
Björk – Homogenic
P!nk
Ke$ha
will.i.am
*NSYNC
t.A.T.u.
M*A*S*H
Se7en (1995)
Amélie (2001)
Crouching Tiger, Hidden Dragon
WALL·E
Star Wars: Episode IV – A New Hope
The Lord of the Rings: The Fellowship of the Ring
Harry Potter & the Chamber of Secrets
Marvel's Spider-Man 2
Tom Clancy's Rainbow Six® Siege
Assassin's Creed Valhalla
Baldur's Gate 3
Five Nights at Freddy's
Uncharted: Drake's Fortune
Ghost of Tsushima Director's Cut
The Legend of Zelda: Tears of the Kingdom
Pokémon Scarlet & Violet
Mario Kart 8 Deluxe
Half-Life 2
Counter-Strike 2
Grand Theft Auto V (PS5)
FIFA 24
NBA 2K24
Call of Duty®: Modern Warfare® III
iPhone 15 Pro Max 256GB – Natural Titanium
iPad Air (5th gen) 64GB Wi-Fi
MacBook Pro 14" M3 Pro
AirPods Pro (2nd generation) with MagSafe Case (USB‑C)
Apple Watch Series 9 GPS 45mm
Samsung Galaxy S24 Ultra 512GB
Galaxy Buds2 Pro
Google Pixel 8a
OnePlus 12R
Sony WH-1000XM5
Bose QuietComfort Ultra
JBL Flip 6
Nintendo Switch – OLED Model
PlayStation®5 Console – Slim
Xbox Series X|S
Logitech MX Master 3S
Razer DeathAdder V3
Dell XPS 13 (9340)
Lenovo ThinkPad X1 Carbon Gen 12
HP LaserJet Pro M404n
Canon EOS R6 Mark II
Nikon Z 50mm f/1.8 S
GoPro HERO12 Black
DJI Mini 4 Pro
Kindle Paperwhite (16 GB)
Fire TV Stick 4K Max
Ring Video Doorbell (2nd Gen)
Dyson V15 Detect
Roomba j7+
KitchenAid Artisan 5-Qt. Stand Mixer
Instant Pot Duo 7-in-1
Le Creuset 5.5 qt Dutch oven
Nespresso Vertuo Next
Vitamix 5200
Yeti Rambler 20 oz Tumbler
Hydro Flask 32oz Wide Mouth
Stanley Quencher H2.0 40oz
Nike Air Force 1 '07
Nike Air Max 90 "Infrared"
Air Jordan 1 Retro High OG "Chicago"
adidas Ultraboost 1.0
New Balance 990v6 – Grey
Converse Chuck Taylor All Star Hi
Vans Old Skool
Dr. Martens 1460 Smooth Leather
Birkenstock Arizona Soft Footbed
UGG® Classic Mini II
Ray-Ban Wayfarer RB2140
Carhartt WIP Detroit Jacket
The North Face 1996 Retro Nuptse
Patagonia Better Sweater® Fleece
Uniqlo U Crew Neck T-Shirt
Levi's® 511™ Slim Fit
Tommy Hilfiger x Aries
Victoria's Secret
Abercrombie & Fitch
Bath & Body Works
Crate & Barrel
Pottery Barn Kids
Bed Bath & Beyond
Toys & Games > Puzzles
Home & Kitchen > Cookware > Pots & Pans
Men's > Shoes > Sneakers
Women's Clothing/Dresses/Maxi
Baby & Toddler (0-3 yrs)
Health & Personal Care
Arts, Crafts & Sewing
Tools & Home Improvement
Books > Children's Books > Ages 6-8
Electronics > TV & Video > 4K TVs
IKEA KALLAX shelf 77x147 cm
IKEA BILLY Bücherregal weiß
IKEA MALM Kommode 6 Schubladen
LEGO® Star Wars™ Millennium Falcon™ 75192
LEGO Technic 42115 Lamborghini Sián FKP 37
Crayola 64 ct crayons
Post-it® Notes 3x3 in
Sharpie Fine Point (12-pack)
Moleskine Classic Notebook, Large, Ruled
Pilot G2 0.7mm
Elmer's glue
Scotch® Magic™ Tape
Clorox® Disinfecting Wipes
Tide PODS® 81 ct
Charmin Ultra Soft Mega Rolls
Kleenex® tissues
Q-tips®
Band-Aid® Brand Flexible Fabric
Tylenol® Extra Strength 500mg
Advil Liqui-Gels 200mg (80 ct)
Claritin 24hr 10mg
Neutrogena Hydro Boost
CeraVe Moisturizing Cream 19 oz
La Roche-Posay Anthelios SPF 50+
Estée Lauder Advanced Night Repair
Clinique Dramatically Different™
Lancôme La Vie Est Belle EDP 100ml
Chanel N°5
Dior Sauvage Eau de Parfum
Yves Saint Laurent Libre
Maybelline Lash Sensational
Fenty Beauty Gloss Bomb
Burt's Bees lip balm
Häagen-Dazs vanilla pint
Ben & Jerry's Phish Food
Lay's Classic
Doritos Cool Ranch®
Oreo Double Stuf
Nutella 750g
Kinder Überraschung
Toblerone 360g
Lindt Excellence 70% Cacao
Ferrero Rocher (24 pcs)
Jägermeister 0,7l
Moët & Chandon Impérial Brut
Veuve Clicquot
Château Margaux 2015
Rosé d'Anjou
Côtes du Rhône
Grüner Veltliner
Pinot Noir – Willamette Valley
Crème brûlée
Pâté de campagne
Jalapeño poppers
Piña colada
Açaí bowl
Pho bò
Bánh mì
Crêpes Suzette
Smörgåsbord
Käsespätzle
Flammkuchen
Jamón ibérico
Caffè latte
Café au lait
Crème fraîche
Entrée & dessert
Fish 'n' chips
Mac 'n' cheese
Surf & turf
PB&J sandwich
BLT (no mayo)
Build-A-Bear
Etch A Sketch
Jenga®
Uno Flip!
Monopoly: Here & Now
Trivial Pursuit
Connect 4
Dungeons & Dragons Player's Handbook (2024)
Magic: The Gathering – Commander Masters
Yu-Gi-Oh! TCG
Pokémon TCG: 151 Booster Bundle
SKU-00123-RED-XL
SKU: 8841-BLK/M
UPC 012345678905
EAN 4006381333931
ISBN 978-3-16-148410-0
ISBN-10: 0-306-40615-2
ASIN B0C8PSMPTH
Model No. HD-2024/B
Part # 12345-ABC-001
Ref. 7731.2.A
item #A1B2C3
Style: 550-001 (Black/White)
Size: US 10 / UK 9 / EU 44
Color: "Midnight" (dark navy)
Qty: 2 x 500ml
""")

# Markdown / lightly formatted text typed into comment boxes and editors.
HAND_MARKDOWN = block(r"""
**bold** and _italic_
*emphasis* and __strong__
~~strikethrough~~
`inline code`
```python print("hi") ```
[link](https://example.com)
[click here](/help/faq#shipping "FAQ")
![alt text](https://example.com/img.png)
![cat photo](/uploads/cat.jpg)
> quote
> "To be or not to be" -- Hamlet
>> nested quote
- item one
* bullet
+ plus bullet
1. first
1) first step
- [ ] todo
- [x] done
---
***
___
| col1 | col2 |
|---|---|
| a | b |
H~2~O
E = mc^2^
==highlight==
:smile: :+1:
@john.doe please review
@team FYI
cc @alice @bob
<kbd>Ctrl</kbd>+<kbd>C</kbd>
<sup>1</sup> footnote
H<sub>2</sub>O
Line one<br>Line two
<p>Hello</p>
<strong>Important:</strong> read this
<em>really</em> good
<u>underlined</u>
<mark>highlighted</mark>
<small>fine print</small>
<blockquote>quoted text</blockquote>
<ol><li>one</li><li>two</li></ol>
<code>npm start</code>
<a href="https://example.com">Example</a>
<a href="/help">help page</a>
<span style="color:red">warning</span>
<div class="note">Note: see below</div>
[^1]: footnote text
\*not italic\*
\_not italic\_
snake_case_name
__init__.py
*args, **kwargs
2 * 3 * 4
5 * 5 = 25
_underscored_
[TODO]
[x]
(see above)
{braces}
<angle brackets>
<name@example.com>
<https://example.com>
Click <here>
<placeholder>
<your name here>
<empty>
<none>
<redacted>
<unknown>
<b>
</b>
<br/>
<br />
<hr>
<p>&nbsp;</p>
""")

# User-Agent-like strings (appear as values in logging/analytics params).
HAND_USER_AGENTS = block(r"""
Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36
Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15
Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0
Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1
Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36
Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36
Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80
Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1
Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)
Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)
Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)
facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)
Twitterbot/1.0
Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)
curl/8.5.0
Wget/1.21.4
python-requests/2.31.0
Python-urllib/3.11
okhttp/4.12.0
axios/1.6.8
Go-http-client/2.0
Java/17.0.10
PostmanRuntime/7.37.3
Apache-HttpClient/4.5.14 (Java/11.0.22)
Dalvik/2.1.0 (Linux; U; Android 12; SM-A525F Build/SP1A.210812.016)
MyShopApp/5.12.0 (iPhone; iOS 17.4.1; Scale/3.00)
com.example.android/3.2.1 (Android 14; Pixel 7 Pro)
Spotify/8.9.36 iOS/17.4 (iPhone15,3)
Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)
Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko
Opera/9.80 (Windows NT 6.0) Presto/2.12.388 Version/12.14
Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)
Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/538.1 (KHTML, like Gecko) Version/6.0 TV Safari/538.1
Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36
Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0
Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.8
UptimeRobot/2.0 (http://www.uptimerobot.com/)
kube-probe/1.29
ELB-HealthChecker/2.0
""")

# Sort / filter / pagination / option values and other short structured params.
HAND_PARAMS = block(r"""
price_desc
price_asc
-created_at
+updated_at
created_at:desc
name asc
name DESC
date desc, id asc
relevance
popularity
newest
best_match
rating:desc,reviews:desc
sort=price&order=asc
orderBy=name
10
25
50
100
page=2
p2
page 3 of 10
offset=40&limit=20
cursor:eyJpZCI6MTIzfQ
after=Y3Vyc29yOjk5
1-20 of 347
color:red,size:M
color=red|blue|green
size:S,M,L
brand:"Levi's"
brand:Nike OR brand:Adidas
category:"Home & Kitchen"
tag:python tag:sql
author:"O'Reilly" year:>2015
price:[10 TO 100]
price:{* TO 50}
rating>=4
stars:4+
in_stock:true
is_active=1
status!=deleted
status:open,pending
type=all
filter[status]=active
filter[price][gte]=10
fields=id,name,email
include=author,comments.author
expand[]=customer
ids[]=1&ids[]=2
q=foo&bar
key=value
a=1;b=2
x=1&y=2&z=3
10-20
>=5
<=100
<10
>0
!=0
0..100
1...5
5+
-5
18-24
25–34 yrs
$50-$100
under $25
€10–€20
1,000+
3+ bedrooms
2-3 days
9am-5pm
true
false
True
FALSE
on
off
yes
No
Y
N
0
1
-1
null
NULL
None
nil
undefined
NaN
Infinity
-0
0.0
00001
007
1e10
0x1F
0b1010
0o755
3.14159265358979
-273.15
6.022e23
1/3
3/4
½
99.9%
50%
-10%
+5.2%
$19.99
US$1,299.00
€1.234,56
£12.50
¥10,000
₹2,499
CHF 45.-
R$ 89,90
1 234 567,89 kr
12:30
12:30 PM
23:59:59
00:00
T+1
UTC+05:30
GMT-8
Europe/Paris
America/New_York
Asia/Kolkata
en
en-US
en_GB
zh-Hans-CN
pt-BR
fr-CA
de-CH
sr-Latn
ja_JP.UTF-8
USD
EUR
JPY
metric
imperial
°F
light
dark
auto
compact
grid
list
asc
desc
ASC
DESC
first
last
all
any
none selected
other
other (please specify)
prefer not to say
M
F
X
S
M/L
XL
XXL
3XL
2T
6-9m
EU 38
US 8.5
W32 L34
32B
one size
A4
Letter
8.5x11
1920x1080
1080p
4K UHD
16:9
72dpi
300 DPI
RGB
CMYK
color #ff6600
""")

# Misc symbols, emoji, math, edge-case-but-benign short strings.
HAND_MISC = block(r"""
😀
👍👍
🔥🔥🔥
❤️
🇺🇸🇬🇧🇫🇷
👨‍👩‍👧‍👦 family
🏳️‍🌈 pride month events
🤷‍♀️
pizza 🍕 near me
best 🍣 in town
☕ & 🥐
✔️ done
✓ / ✗
★★★
→ next
← back
↑ top
…
—
–
•
·
§ 242 BGB
¶
© 2024
®
™
°
±0.5 mm
µm
Ω resistor
∞
≠
≈
√2
∆T
∑
π
λ calculus
α-β pruning
β-blocker
γ-ray
Δ variant
µg/m³
m²
cm³
H₂O
CO₂ emissions
x²+y²=r²
E=mc²
½ tsp
¼ lb burger
¾ sleeve
1º piso
Nº 5
№ 12
@
&
%
*
+
=
|
~
^
$
(
)
[
]
{
}
<
>
/
\
"
`
,
.
;
:
_
""
()
[]
{}
<>
/\
&&
||
::
->
=>
<=
>=
!=
==
+=
+1
-1 from me
@home
@everyone
$$$
$0
100%
110%!
&c.
@ symbol on keyboard
what does & mean
what does @ mean in email
ampersand & symbol
percent % sign
asterisk * meaning
caret ^ symbol
tilde ~ key
pipe | symbol keyboard
backslash \ vs forward slash /
semicolon ; usage
colon : vs semicolon ;
em dash — vs en dash –
interrobang ‽
inverted ¿ and ¡
ellipsis … vs ...
""")

# Hand-written token / ID shapes (more are generated below).
HAND_TOKENS = block(r"""
dGhpcyBpcyBhIHRlc3Q=
a+b/c==
SGVsbG8sIFdvcmxkIQ==
eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c
550e8400-e29b-41d4-a716-446655440000
00000000-0000-0000-0000-000000000000
{3F2504E0-4F89-11D3-9A0C-0305E82C3301}
d41d8cd98f00b204e9800998ecf8427e
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
da39a3ee5e6b4b0d3255bfef95601890afd80709
AKIAIOSFODNN7EXAMPLE
SplxlOBeZQQYbYS6WxSbIA
xyzABC123
4/0AX4XfWh-example-oauth-code
1//0gEXAMPLErefreshTOKEN-abc
PHPSESSID=9a8b7c6d5e4f3a2b1c0d
JSESSIONID=A1B2C3D4E5F6.node01
ASP.NET_SessionId=abcxyz123qwe456rty789
_ga=GA1.2.1234567890.1700000000
fbclid=IwAR2EXAMPLEexample
gclid=Cj0KCQjw-EXAMPLE_BwE
0x71C7656EC7ab88b098defB751B7401B5f6d8976F
bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq
1HB5XMLmzFVj8ALj6mfBsbifRoD4miY36v
sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
W/"0815"
"33a64df551425fcc55e4d42a148795d9f25f89d4"
v=spf1 include:_spf.google.com ~all
""")

# A few values kept percent-encoded exactly as seen in raw URLs.
HAND_PCT = block(r"""
caf%C3%A9+au+lait
q%3Dfoo%26bar
O%27Brien
rock+%27n%27+roll
%22new+york%22+hotels
Ben+%26+Jerry%27s
AT%26T
5%2711%22
don%27t+stop+believin%27
50%25+off%21%21%21
%E4%BD%A0%E5%A5%BD
%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82
https%3A%2F%2Fexample.com%2Fa%3Fb%3Dc%26d%3De
%2Faccount%2Fsettings%23profile
a%20%3C%20b%20%26%26%20c%20%3E%20d
I+%3C3+NY
std%3A%3Avector%3Cint%3E
%7B%22id%22%3A123%7D
color%3Ared%2Csize%3AM
M%C3%BCnchen
S%C3%A3o+Paulo
L%27Or%C3%A9al
Z%C3%BCrich%20HB
jane.doe%2Bnews%40example.com
%2B1-555-0100
dGhpcyBpcyBhIHRlc3Q%3D
100%25+cotton%3B+machine+wash
Q%26A%3A+what%27s+new%3F
order+by+date
1%2F2%22+copper+pipe
%F0%9F%8D%95+near+me
""")

HAND_BLOCKS = [
    ("search terms with quotes/apostrophes/&", HAND_SEARCH_QUOTES),
    ("personal names", HAND_NAMES),
    ("addresses and places", HAND_ADDRESSES),
    ("prose with SQL keywords / SQL talk", HAND_SQL_PROSE),
    ("programming / IT searches and snippets", HAND_CODE),
    ("JSON values", HAND_JSON),
    ("URLs, paths, redirect targets", HAND_URLS),
    ("multilingual natural language", HAND_PROSE),
    ("reviews / comments / support text", HAND_REVIEWS),
    ("product names, brands, titles, SKUs", HAND_PRODUCTS),
    ("markdown / light HTML formatting", HAND_MARKDOWN),
    ("user-agent strings", HAND_USER_AGENTS),
    ("sort / filter / pagination / options", HAND_PARAMS),
    ("symbols, emoji, math", HAND_MISC),
    ("token / ID shapes", HAND_TOKENS),
    ("percent-encoded (raw URL form)", HAND_PCT),
]

# ---------------------------------------------------------------------------
# 2. TEMPLATE EXPANSION (fixed seed; each template yields only a few lines)
# ---------------------------------------------------------------------------

FIRST_NAMES = [
    "James", "Mary", "Seán", "Siobhán", "Zoë", "José", "María", "François",
    "Jürgen", "Søren", "Łukasz", "Chloé", "Renée", "Nguyễn", "Aoife", "Niamh",
    "Mohammed", "Fatima", "Aisha", "Omar", "Priya", "Rahul", "Wei", "Mei",
    "Hiroshi", "Yuki", "Min-jun", "Ji-woo", "Olga", "Dmitri", "Ingrid",
    "Lars", "Giulia", "Luca", "João", "Ana", "Kwame", "Ama", "Tūī", "Kai",
    "De'Andre", "Jean-Luc", "Anne-Marie", "Mary Kate", "D'Shawn", "Ren",
]
LAST_NAMES = [
    "O'Brien", "O'Neil", "O'Connor", "D'Angelo", "Dell'Acqua", "D'Souza",
    "McDonald", "MacLeod", "van der Berg", "von Trapp", "de la Cruz",
    "García-Márquez", "Müller", "Schröder", "Nowak", "Kowalski", "Smith",
    "Johnson", "Williams", "Brown", "Nguyen", "Tran", "Kim", "Park", "Lee",
    "Wang", "Li", "Zhang", "Chen", "Tanaka", "Sato", "Ivanov", "Petrova",
    "Rossi", "Bianchi", "Silva", "Santos", "Okafor", "Mensah", "Haddad",
    "Al-Sayed", "Cohen", "Levi", "Papadopoulos", "Öztürk", "Kanté",
    "St. James", "Smith-Jones", "Null", "Union", "Or",
]
CITIES = [
    "New York", "Los Angeles", "San José", "St. Louis", "Coeur d'Alene",
    "Martha's Vineyard", "St. John's", "Xi'an", "Côte d'Azur", "Val-d'Or",
    "'s-Hertogenbosch", "Ra's al-Khaimah", "Hawai'i", "Kraków", "Zürich",
    "München", "Düsseldorf", "São Paulo", "Bogotá", "Reykjavík", "Malmö",
    "Paris", "London", "Tokyo", "東京", "北京", "Москва", "Αθήνα", "Kyiv",
    "Istanbul", "Dubai", "Tel Aviv", "Cape Town", "Nairobi", "Lagos",
    "Mumbai", "Bengaluru", "Ho Chi Minh City", "Bangkok", "Seoul",
    "Sydney", "Auckland", "Québec City", "Montréal", "Mexico City",
    "Buenos Aires", "Lima", "Lisbon", "Barcelona", "A Coruña", "Sant'Agata",
    "L'Aquila", "Union City", "Salt Lake City", "Washington, D.C.",
]
ITEMS = [
    "Levi's 501", '65" TV', '27" monitor', "air fryer", "espresso machine",
    "standing desk", "noise-cancelling headphones", "robot vacuum",
    "kid's bike 16\"", "women's rain jacket", "men's dress shoes",
    "cast-iron skillet", "USB-C hub", "mechanical keyboard", "4K webcam",
    "dog bed (XL)", "baby car seat", "king size mattress", "Ben & Jerry's",
    "L'Oréal shampoo", "Dr. Martens boots", "iPhone 15 case", "AirPods",
    "Nintendo Switch", "PS5", "gaming chair", "office chair w/ lumbar support",
    "hiking boots", "yoga mat", "rice cooker", "Instant Pot", "coffee table",
    "dining table", "sofa bed", "bookshelf", "desk lamp", "smart watch",
    "e-reader", "drone", "power bank 20000mAh",
]
COLORS = ["red", "navy", "black", "off-white", "olive", "burgundy",
          "sky blue", "heather grey", "rosé", "beige"]
GARMENTS = ["t-shirt", "hoodie", "chinos", "maxi dress", "rain jacket",
            "polo shirt", "cardigan", "jeans", "sneakers", "beanie"]
SIZES = ["XS", "S", "M", "L", "XL", "XXL", "32/34", "EU 42", "US 10.5", "UK 8"]
EMAIL_DOMAINS = ["example.com", "example.org", "mail.example.net",
                 "company.co.uk", "uni-example.de", "example.fr",
                 "sub.example.io", "example.jp", "exämple.de"]


def ascii_fold(s):
    table = str.maketrans("àáâãäåçèéêëìíîïñòóôõöøùúûüýÿłśżźćńęąő",
                          "aaaaaaceeeeiiiinoooooouuuuyylszzcneao")
    return s.lower().translate(table)


def gen_names(rng):
    out = []
    for _ in range(32):
        out.append(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
    for _ in range(8):
        out.append(f"{rng.choice(LAST_NAMES)}, {rng.choice(FIRST_NAMES)}")
    for _ in range(5):
        f, l = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        out.append(f"{l.upper()} {f}")
    templates = [
        "{f}'s birthday party", "{l} family reunion", "obituary {f} {l}",
        "{f} {l} linkedin", "Dr. {l}", "{l} & Sons Plumbing", "{l}'s Pub",
        "call {f} re: Q3 budget", "gift for {f} (turning 40!)",
        "{f} {l}, MD", "Attn: {f} {l}", "{f} & {f2}", "Mr. & Mrs. {l}",
        "{l} v. {l2}", "The {l} Group, LLC",
    ]
    for t in templates:
        for _ in range(3):
            out.append(t.format(f=rng.choice(FIRST_NAMES), l=rng.choice(LAST_NAMES),
                                f2=rng.choice(FIRST_NAMES), l2=rng.choice(LAST_NAMES)))
    return out


def gen_emails(rng):
    out = []
    seps = [".", "_", "", "-"]
    for _ in range(36):
        f = ascii_fold(rng.choice(FIRST_NAMES)).replace(" ", "")
        l = ascii_fold(rng.choice(LAST_NAMES)).replace(" ", "")
        if not all(c.isascii() for c in f + l):
            f, l = "user", str(rng.randint(1, 9999))
        local = f + rng.choice(seps) + l
        r = rng.random()
        if r < 0.2:
            local += "+" + rng.choice(["news", "shop", "spam", "2024", "work"])
        elif r < 0.3:
            local += str(rng.randint(1, 99))
        out.append(f"{local}@{rng.choice(EMAIL_DOMAINS)}")
    out += [
        "Jane Doe <jane.doe@example.com>",
        '"O\'Brien, Pat" <pat.obrien@example.com>',
        "support@example.com; billing@example.com",
        "a@b.co",
        "firstname.o'reilly@example.com",
        "user%example.com@example.org",
        "\"john..doe\"@example.com",
        "admin@[192.0.2.1]",
        "test@localhost",
        "张伟@例子.中国",
        "josé@exämple.com",
    ]
    return out


def gen_phones(rng):
    fmts = [
        lambda: f"+1 ({rng.randint(201, 989)}) 555-{rng.randint(100, 199):04d}",
        lambda: f"{rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}",
        lambda: f"+1.{rng.randint(201, 989)}.555.{rng.randint(100, 199):04d}",
        lambda: f"+44 20 7946 {rng.randint(0, 999):04d}",
        lambda: f"07700 900{rng.randint(0, 999):03d}",
        lambda: f"+49 (0)30 {rng.randint(100, 999)} {rng.randint(1000, 9999)}-{rng.randint(0, 99)}",
        lambda: f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        lambda: f"+81 90-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
        lambda: f"+86 138 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        lambda: f"+91 {rng.randint(70000, 99999)} {rng.randint(10000, 99999)}",
        lambda: f"(0{rng.randint(2, 9)}) {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        lambda: f"555{rng.randint(1000000, 9999999)}",
        lambda: f"+1-555-0{rng.randint(100, 199)} ext. {rng.randint(10, 999)}",
        lambda: f"tel:+1555{rng.randint(1000000, 9999999)}",
    ]
    return [f() for f in fmts for _ in range(3)]


MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def gen_dates(rng):
    out = []
    for i in range(40):
        y, m, d = rng.randint(1950, 2026), rng.randint(1, 12), rng.randint(1, 28)
        hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        style = i % 13
        out.append([
            f"{y}-{m:02d}-{d:02d}",
            f"{m:02d}/{d:02d}/{y}",
            f"{d:02d}.{m:02d}.{y}",
            f"{d}/{m}/{y % 100:02d}",
            f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z",
            f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}.{rng.randint(0, 999):03d}+02:00",
            f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}",
            f"{MONTHS[m - 1]} {d}, {y}",
            f"{d} {MONTHS[m - 1][:3]} {y}",
            f"{DAYS[rng.randint(0, 6)]}, {d:02d} {MONTHS[m - 1][:3]} {y} {hh:02d}:{mm:02d}:{ss:02d} GMT",
            f"{y}年{m}月{d}日",
            f"{y}{m:02d}{d:02d}",
            str(rng.randint(946684800, 1798761600)),
        ][style])
    for _ in range(6):
        out.append(str(rng.randint(946684800000, 1798761600000)))
    out += ["today", "yesterday", "last 7 days", "last_30_days", "this month",
            "Q3 2024", "FY2025", "2024-W23", "2024-06", "1999", "Spring '24",
            "from 2024-01-01 to 2024-03-31", "2024-01-01..2024-12-31",
            "tomorrow at 5pm", "next Friday", "in 2 weeks", "ASAP"]
    return out


def gen_numbers(rng):
    out = []
    for _ in range(10):
        out.append(str(rng.randint(11, 999999)))
    for _ in range(6):
        out.append(f"{rng.uniform(-1000, 1000):.{rng.randint(1, 4)}f}")
    for _ in range(6):
        out.append(f"{rng.randint(1000, 9999999):,}")
    for _ in range(5):
        v = f"{rng.randint(1000, 99999):,}".replace(",", ".")
        out.append(f"{v},{rng.randint(0, 99):02d}")
    for _ in range(8):
        out.append(f"${rng.randint(1, 2000)}.{rng.choice(['00', '49', '95', '99'])}")
    for _ in range(5):
        out.append(f"{rng.randint(1, 500)},{rng.choice(['00', '50', '90', '99'])} €")
    for _ in range(5):
        lo = rng.randint(0, 50) * 10
        out.append(f"{lo}-{lo + rng.choice([10, 20, 50, 100])}")
    for _ in range(4):
        out.append(f"{rng.randint(1, 99)}%")
    for _ in range(4):
        out.append(f"{rng.randint(1, 20)} x {rng.randint(1, 20)} cm")
    return out


def gen_coords(rng):
    out = []
    for i in range(24):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-179, 179)
        style = i % 6
        if style == 0:
            out.append(f"{lat:.6f},{lon:.6f}")
        elif style == 1:
            out.append(f"{lat:.4f}, {lon:.4f}")
        elif style == 2:
            out.append(f"@{lat:.7f},{lon:.7f},{rng.randint(3, 20)}z")
        elif style == 3:
            d1, m1, s1 = int(abs(lat)), rng.randint(0, 59), rng.uniform(0, 59.9)
            d2, m2, s2 = int(abs(lon)), rng.randint(0, 59), rng.uniform(0, 59.9)
            out.append(f"{d1}°{m1}'{s1:.1f}\"{'N' if lat >= 0 else 'S'} "
                       f"{d2}°{m2}'{s2:.1f}\"{'E' if lon >= 0 else 'W'}")
        elif style == 4:
            out.append(f"POINT({lon:.5f} {lat:.5f})")
        else:
            out.append(f"bbox={lon:.3f},{lat:.3f},{lon + 0.05:.3f},{lat + 0.05:.3f}")
    return out


B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def rstr(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def gen_tokens(rng):
    out = []
    for _ in range(22):
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        out.append(u.upper() if rng.random() < 0.2 else u)
    for _ in range(4):
        out.append(uuid.UUID(int=rng.getrandbits(128), version=4).hex)
    for algo, n in (("md5", 8), ("sha1", 8), ("sha256", 8), ("sha512", 2)):
        for _ in range(n):
            out.append(hashlib.new(algo, rng.getrandbits(64).to_bytes(8, "big")).hexdigest())
    for _ in range(4):
        out.append(f"{rng.getrandbits(24):06x}")              # short git sha / hex color-ish
    for _ in range(16):                                       # JWTs
        header = {"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
        if rng.random() < 0.4:
            header["kid"] = rstr(rng, B62, 8)
        iat = rng.randint(1700000000, 1760000000)
        payload = {"sub": str(rng.randint(1, 10 ** 6)), "iat": iat, "exp": iat + 3600}
        if rng.random() < 0.5:
            payload["name"] = rng.choice(["Seán O'Brien", "Zoë D'Angelo", "张伟", "Jürgen Müller", "Ana"])
        if rng.random() < 0.5:
            payload["scope"] = rng.choice(["read write", "openid profile email", "orders:read"])
        sig = bytes(rng.getrandbits(8) for _ in range(rng.choice([32, 64])))
        out.append(".".join([
            b64url(json.dumps(header, separators=(",", ":")).encode()),
            b64url(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()),
            b64url(sig)]))
    for _ in range(16):                                       # standard base64 (+ / =)
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(4, 40)))
        out.append(base64.b64encode(data).decode("ascii"))
    for text in ["hello world", "user:password", "O'Brien", "a < b", "{\"id\":1}",
                 "2024-06-01", "café", "redirect=/home"]:
        out.append(base64.b64encode(text.encode("utf-8")).decode("ascii"))
    for _ in range(10):                                       # OAuth state / code
        out.append(b64url(bytes(rng.getrandbits(8) for _ in range(rng.choice([16, 24, 32])))))
    for _ in range(8):                                        # CSRF tokens
        out.append(rstr(rng, B62 + "-_", rng.choice([32, 40, 43])))
    for _ in range(4):
        out.append(rstr(rng, B62, 26) + ":" + rstr(rng, "0123456789abcdef", 16))
    for _ in range(8):                                        # session ids
        out.append(rstr(rng, "0123456789abcdefghijklmnopqrstuv", 26))
    for _ in range(5):
        out.append("s%3A" + rstr(rng, B62, 32) + "." + rstr(rng, B62 + "/+", 43))
    for prefix in ("key_", "api_", "tok_", "pub_", "cli_", "acct_", "sess_", "req_"):
        out.append(prefix + rstr(rng, B62, rng.choice([16, 24, 32])))
    for _ in range(4):
        out.append(rstr(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))  # TOTP secret shape
    for _ in range(4):
        out.append(f"{rng.randint(0, 999999):06d}")                    # OTP code
    for _ in range(4):
        out.append("-".join(rstr(rng, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 5) for _ in range(4)))
    return out


def gen_searches(rng):
    out = []
    city_t = ["cheap flights to {c}", "hotels in {c}", "things to do in {c}",
              "weather in {c} tomorrow", "{c} to {c2} train", "restaurants near {c}",
              "{c} time zone", "best time to visit {c}", "is {c} safe?",
              "{c} airport parking", "moving to {c} -- cost of living",
              "{c} \"old town\" walking tour", "{c} vs {c2} for a weekend"]
    for t in city_t:
        for _ in range(4):
            c, c2 = rng.sample(CITIES, 2)
            out.append(t.format(c=c, c2=c2))
    item_t = ["{i} under $50", "best {i} 2024", "{i} vs {i2}", "{i} reviews",
              "{i} near me", "how to clean {i}", "{i} black friday deal",
              "refurbished {i}", "is the {i} worth it?", "{i} -used", "\"{i}\" in stock"]
    for t in item_t:
        for _ in range(4):
            i, i2 = rng.sample(ITEMS, 2)
            out.append(t.format(i=i, i2=i2))
    for _ in range(8):
        out.append(f"{rng.choice(COLORS)} {rng.choice(GARMENTS)} size {rng.choice(SIZES)}")
    verb_t = [
        ("how to update {x}", ["Chrome", "my BIOS", "Zoom on Mac", "Android 14", "Garmin maps", "node.js"]),
        ("how to delete {x}", ["a page in Word", "TikTok account", "cookies in Safari", "Spotify history", "a git branch"]),
        ("select {x}", ["all in Photoshop", "text without mouse", "your seat", "a plan", "delivery time"]),
        ("drop {x}", ["off donations near me", "earrings gold", "ceiling tiles", "leaf table", "shot volleyball"]),
        ("order {x}", ["flowers online", "Chinese food", "checks from Chase", "of the Garter", "custom cake"]),
        ("union {x}", ["station parking", "bank login", "membership benefits", "county NJ jobs", "square cafe"]),
        ("insert {x}", ["symbol in word", "sim card iPhone", "row above excel", "tab A into slot B", "image in gmail"]),
        ("join {x}", ["army age limit", "teams meeting", "two pdfs", "book club", "the navy"]),
        ("{x} or {y}", [("tea", "coffee"), ("cats", "dogs"), ("Mac", "PC"), ("rent", "buy"), ("1", "2 players")]),
    ]
    for t, xs in verb_t:
        for x in rng.sample(xs, 4):
            out.append(t.format(x=x[0], y=x[1]) if isinstance(x, tuple) else t.format(x=x))
    return out


def gen_json(rng):
    out = []
    for _ in range(12):
        d = {"id": rng.randint(1, 99999),
             "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
             "city": rng.choice(CITIES)}
        if rng.random() < 0.5:
            d["tags"] = rng.sample(["new", "sale", "vip", "b2b", "gift", "eu"], rng.randint(1, 3))
        out.append(json.dumps(d, ensure_ascii=rng.random() < 0.3, separators=rng.choice([(",", ":"), (", ", ": ")])))
    for _ in range(10):
        d = {"q": rng.choice(ITEMS), "page": rng.randint(1, 9),
             "sort": rng.choice(["price_asc", "-rating", "newest", "relevance"]),
             "filters": {"color": rng.sample(COLORS, 2), "size": rng.choice(SIZES)}}
        out.append(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
    for _ in range(8):
        d = {"cart": [{"sku": f"{rstr(rng, 'ABCDEFGHJKLMNPQRSTUVWXYZ', 2)}-{rng.randint(100, 9999)}",
                       "qty": rng.randint(1, 5), "price": round(rng.uniform(1, 300), 2)}
                      for _ in range(rng.randint(1, 3))],
             "coupon": rng.choice([None, "SPRING10", "WELCOME-5", "FREESHIP"])}
        out.append(json.dumps(d, separators=(",", ":")))
    for _ in range(8):
        d = {"event": rng.choice(["click", "scroll", "view_item", "add_to_cart", "search"]),
             "ts": rng.randint(1700000000000, 1760000000000),
             "props": {"label": rng.choice(HAND_SEARCH_QUOTES), "value": rng.randint(0, 100)}}
        out.append(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
    return out


def gen_query_strings(rng):
    out = []
    paths = ["/search", "/products", "/account", "/checkout", "/blog", "/help", "/en-us/support",
             "/de/suche", "/api/v1/items", "/orders", "/cart", "/jobs"]
    params = [
        ("q", ["shoes", "o'brien", "a+b", "caf%C3%A9", "rock+%27n%27+roll", "usb-c", "%22new+york%22"]),
        ("page", ["1", "2", "17"]),
        ("sort", ["price_desc", "-created_at", "relevance", "name+asc"]),
        ("lang", ["en", "de-DE", "pt_BR", "zh-Hans"]),
        ("ref", ["nav", "footer", "email_0624", "sr_1_3"]),
        ("utm_source", ["newsletter", "google", "facebook"]),
        ("utm_campaign", ["spring_sale", "bf-2024", "welcome%20series"]),
        ("tab", ["billing", "security", "orders"]),
        ("view", ["grid", "list"]),
        ("id", ["12345", "a1b2c3", "550e8400-e29b-41d4-a716-446655440000"]),
        ("filter", ["color:red", "in_stock", "price:10-50", "brand:levi's"]),
        ("return_to", ["/dashboard", "%2Faccount%2Forders", "/cart?step=2"]),
    ]
    for _ in range(26):
        n = rng.randint(1, 4)
        qs = "&".join(f"{k}={rng.choice(v)}" for k, v in rng.sample(params, n))
        style = rng.random()
        if style < 0.4:
            out.append(f"{rng.choice(paths)}?{qs}")
        elif style < 0.75:
            out.append(f"https://www.example.com{rng.choice(paths)}?{qs}")
        else:
            out.append(qs)
    for _ in range(8):
        out.append(f"{rng.choice(paths)}#" + rng.choice(["top", "reviews", "section-2", "faq-returns", "comment-8812"]))
    return out


def gen_ids(rng):
    out = []
    for _ in range(8):
        out.append(".".join(str(rng.randint(1, 254)) for _ in range(4)))
    for _ in range(4):
        out.append("2001:db8:" + ":".join(f"{rng.getrandbits(16):x}" for _ in range(3)) + "::" + f"{rng.getrandbits(16):x}")
    for _ in range(3):
        out.append(":".join(f"{rng.getrandbits(8):02X}" for _ in range(6)))
    for _ in range(3):
        out.append(f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/{rng.choice([16, 20, 24])}")
    for _ in range(6):
        out.append(f"ORD-{rng.randint(2019, 2025)}-{rng.randint(0, 999999):06d}")
    for _ in range(4):
        out.append(f"#{rng.randint(1000, 99999)}".join(["order ", ""]))
    for _ in range(4):
        out.append(f"1Z{rstr(rng, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 16)}")
    for _ in range(4):
        out.append(f"INV/{rng.randint(2020, 2025)}/{rng.randint(1, 9999):04d}")
    for _ in range(3):
        out.append(f"TKT-{rng.randint(100, 99999)}")
    for _ in range(3):
        out.append(f"**** **** **** {rng.randint(0, 9999):04d}")
    for fmt in ("{:05d}", "{:05d}-{:04d}"):
        for _ in range(2):
            out.append(fmt.format(rng.randint(501, 99950), rng.randint(0, 9999)))
    out += [f"SW{rng.randint(1, 20)}A {rng.randint(1, 9)}{rstr(rng, 'ABDEFGHJLNPQRSTUWXYZ', 2)}" for _ in range(2)]
    out += [f"{rstr(rng, 'ABCEGHJKLMNPRSTVXY', 1)}{rng.randint(0, 9)}{rstr(rng, 'ABCEGHJKLMNPRSTVWXYZ', 1)} "
            f"{rng.randint(0, 9)}{rstr(rng, 'ABCEGHJKLMNPRSTVWXYZ', 1)}{rng.randint(0, 9)}" for _ in range(2)]
    out += [f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}" for _ in range(2)]
    for _ in range(3):
        out.append(f"v{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}")
    for _ in range(2):
        out.append(f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}-rc.{rng.randint(1, 4)}+build.{rng.randint(100, 999)}")
    return out


def gen_user_agents(rng):
    out = []
    for _ in range(8):
        v = rng.randint(110, 126)
        os_ = rng.choice(["Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7",
                          "X11; Linux x86_64", "Linux; Android 13; SM-G991B"])
        out.append(f"Mozilla/5.0 ({os_}) AppleWebKit/537.36 (KHTML, like Gecko) "
                   f"Chrome/{v}.0.{rng.randint(5000, 6500)}.{rng.randint(0, 200)} Safari/537.36")
    for _ in range(4):
        v = rng.randint(115, 128)
        out.append(f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0")
    for _ in range(4):
        out.append(f"{rng.choice(['ShopApp', 'NewsReader', 'FitTrack', 'BankingApp'])}/"
                   f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)} "
                   f"(iPhone; iOS {rng.randint(15, 18)}.{rng.randint(0, 6)}; Scale/3.00)")
    return out


def gen_misc_templates(rng):
    out = []
    for _ in range(5):
        out.append(f"{rng.randint(1, 10)} or {rng.randint(11, 20)} {rng.choice(['people', 'guests', 'nights', 'rooms', 'bags'])}")
    for _ in range(6):
        out.append(f"table for {rng.randint(2, 12)} at {rng.randint(5, 9)}:{rng.choice(['00', '15', '30', '45'])}pm")
    for _ in range(6):
        a = rng.randint(1, 99)
        b = rng.randint(1, 99)
        op = rng.choice(["<", ">", "<=", ">=", "!="])
        out.append(f"is {a} {op} {b}?")
    for _ in range(6):
        h = rng.randint(4, 6)
        i = rng.randint(0, 11)
        out.append(f"{h}'{i}\" {rng.choice(['tall', 'height', 'to cm', 'weight chart', 'ideal weight'])}")
    for _ in range(6):
        out.append(f"{rng.choice(['Flight', 'Gate', 'Seat', 'Room', 'Platform'])} "
                   f"{rstr(rng, 'ABCDEFGH', 1)}{rng.randint(1, 99)} -- {rng.choice(['on time', 'delayed', 'boarding', 'changed'])}")
    return out


GENERATORS = [
    ("names x phrases", gen_names),
    ("e-mail addresses", gen_emails),
    ("phone numbers", gen_phones),
    ("dates / times / timestamps", gen_dates),
    ("numbers / money / ranges", gen_numbers),
    ("coordinates", gen_coords),
    ("tokens: UUID, hashes, JWT, base64, OAuth, CSRF, session, keys", gen_tokens),
    ("search templates (cities, items, verbs)", gen_searches),
    ("generated JSON", gen_json),
    ("query strings / redirect targets", gen_query_strings),
    ("IPs, order/invoice/tracking IDs, postcodes, versions", gen_ids),
    ("generated user agents", gen_user_agents),
    ("misc templates (or, <, >, 5'11\")", gen_misc_templates),
]

# ---------------------------------------------------------------------------
# 3. PERCENT-ENCODED SAMPLE, VALIDATION, OUTPUT
# ---------------------------------------------------------------------------

PCT_RE = re.compile(r"%[0-9A-Fa-f]{2}")


def pct_encode(rng, value):
    """Encode one value the way it would appear in a raw URL / form body."""
    style = rng.randint(0, 3)
    if style == 0:                       # HTML form / query string: space -> '+'
        enc = quote_plus(value, safe="")
    elif style == 1:                     # RFC 3986 strict: space -> %20
        enc = quote(value, safe="")
    elif style == 2:                     # browser-ish: keep some sub-delims raw
        enc = quote(value, safe="/:@,!()*'")
    else:                                # lower-case hex (some clients do this)
        enc = PCT_RE.sub(lambda m: m.group(0).lower(), quote_plus(value, safe=""))
    return enc


# Conservative list of *attack* shapes. The benign set must match none of them,
# otherwise a detector hit would be a true positive, not a false positive.
# (Prose about SQL, "sleep apnea", "alert box css", "<br>" etc. must NOT match.)
ATTACK_PATTERNS = [re.compile(p, re.I) for p in [
    r"\bunion\b[\s/*+()]*(all\b[\s/*+()]*|distinct\b[\s/*+()]*)?select\b",
    r"['\"`)]\s*(or|and|\|\||&&|xor)\s*['\"(]*\s*[\w.]+\s*['\")]*\s*(=|<|>|\blike\b|\bis\b|\bin\b)",
    r"\b(or|and)\s+['\"]?(\d+|[a-z])['\"]?\s*=\s*['\"]?\2\b",
    r";\s*(drop|delete|insert|update|shutdown|exec|execute|truncate|alter|create|select|declare|waitfor)\b",
    r"\bdrop\s+(table|database|schema|user)\b",
    r"['\"`]\s*\)*\s*(--\s*|#\s*|/\*.*)$",
    r"(?<![.\w])(sleep|benchmark|pg_sleep|extractvalue|updatexml|load_file)\s*\(",
    r"\bwaitfor\s+delay\b",
    r"information_schema|xp_cmdshell|sys\.objects|sysobjects|@@version|\binto\s+(out|dump)file\b",
    r"\bchar\s*\(\s*\d|\bconcat\s*\(.*\bselect\b|\bselect\b.*\bfrom\b.*\bwhere\b",
    r"<\s*/?\s*(script|iframe|frame|frameset|object|embed|applet|svg|img|image|body|style|link|meta|base|math|video|audio|source|isindex|xss)\b",
    r"\bon(load|error|click|mouse\w*|focus\w*|blur|change|submit|key\w+|toggle|animation\w*|begin|pointer\w+|input|invalid|scroll|wheel|drag\w*|copy|paste|start|end|resize|unload|message|show|hashchange)\s*=",
    r"\b(java|vb|live)script\s*:",
    r"data\s*:\s*text/html",
    r"\b(alert|prompt|confirm)\s*[(`]",
    r"\beval\s*\(\s*[^)\s]",
    r"document\s*\.\s*(cookie|write|domain)|window\s*\[|string\s*\.\s*fromcharcode|\bsrcdoc\s*=|expression\s*\(",
    r"\{\{.*(constructor|__proto__|_self|__class__)",
]]


def check_no_attacks(values):
    """Return (value, pattern) for values (raw or decoded) matching an attack shape."""
    bad = []
    for v in values:
        hit = None
        for cand in dict.fromkeys((v, unquote_plus(v), unquote(v))):
            for pat in ATTACK_PATTERNS:
                if pat.search(cand):
                    hit = pat.pattern
                    break
            if hit:
                break
        if hit:
            bad.append((v, hit))
    return bad


def validate(lines):
    errors = []
    seen = set()
    for i, v in enumerate(lines, 1):
        if not v:
            errors.append(f"line {i}: empty")
        if "\t" in v or "\n" in v or "\r" in v or "\x0b" in v or "\x0c" in v:
            errors.append(f"line {i}: TAB/newline/control char: {v!r}")
        if v.startswith("#"):
            errors.append(f"line {i}: starts with '#': {v!r}")
        if v != v.strip():
            errors.append(f"line {i}: leading/trailing whitespace: {v!r}")
        if len(v.splitlines()) > 1:
            errors.append(f"line {i}: contains a unicode line separator: {v!r}")
        if v in seen:
            errors.append(f"line {i}: duplicate: {v!r}")
        seen.add(v)
    if not MIN_LINES <= len(lines) <= MAX_LINES:
        errors.append(f"line count {len(lines)} outside {MIN_LINES}-{MAX_LINES}")
    for v, pat in check_no_attacks(lines):
        errors.append(f"attack-like value {v!r} matches /{pat}/")
    return errors


def build():
    rng = Random(SEED)
    pool, seen, composition = [], set(), []

    def add(label, values):
        n = 0
        for v in values:
            v = v.strip()
            if v and v not in seen:
                seen.add(v)
                pool.append(v)
                n += 1
        composition.append((label, n))

    for label, values in HAND_BLOCKS:
        add("hand: " + label, values)
    n_hand = len(pool)
    for label, gen in GENERATORS:
        add("gen: " + label, gen(rng))

    # ~PCT_SHARE of the final file is percent-encoded; HAND_PCT already counts.
    n_pct_hand = sum(1 for v in HAND_PCT if v in seen)
    n_target = round(PCT_SHARE * len(pool) / (1 - PCT_SHARE))
    candidates = [v for v in pool
                  if v not in HAND_PCT and "%" not in v and quote_plus(v, safe="") != v]
    encoded = []
    for v in rng.sample(candidates, len(candidates)):
        if len(encoded) >= n_target - n_pct_hand:
            break
        enc = pct_encode(rng, v)
        if enc != v and enc not in seen and not enc.startswith("#"):
            encoded.append(enc)
            seen.add(enc)
    pool.extend(encoded)
    composition.append(("gen: percent-encoded copies of other values", len(encoded)))

    rng.shuffle(pool)
    return pool, composition, n_hand, n_pct_hand + len(encoded)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = os.path.join(here, OUT_NAME)
    lines, composition, n_hand, n_pct = build()
    errors = validate(lines)
    if errors:
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        return 1
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if "--check" in sys.argv[1:]:
        with open(out_path, "rb") as fh:
            same = fh.read() == data
        print(f"{OUT_NAME} is {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    with open(out_path, "wb") as fh:
        fh.write(data)
    if "-q" not in sys.argv[1:]:
        for label, n in composition:
            print(f"{n:6d}  {label}")
        print(f"{len(lines):6d}  TOTAL lines written to {out_path}")
        print(f"{n_hand:6d}  distinct hand-written values")
        print(f"{n_pct:6d}  percent-encoded lines ({100.0 * n_pct / len(lines):.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
