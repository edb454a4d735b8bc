# O Carteiro em português do Brasil.
#
# Toda mensagem do arquivo em inglês (locales/en/main.ftl) tem de existir aqui também:
# `cargo test --lib i18n` falha quando falta alguma ou sobra alguma.
#
# Em português, a categoria de plural "one" vale para 0 e 1; onde o 0 pode aparecer, ele tem
# a sua própria variante [0].

## O próprio idioma

language-name = Português (Brasil)

## Números, tamanhos, datas

number-decimal-separator = ,
number-group-separator = .

size-bytes = { $value } B
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB

date-today = { $hour }:{ $minute }
date-yesterday = Ontem
date-this-year = { $day } de { date-month }
date-other-year = { $day2 }/{ $month2 }/{ $year }
date-full = { $day } de { date-month } de { $year } às { $hour }:{ $minute }

date-month =
    { $month ->
        [1] jan.
        [2] fev.
        [3] mar.
        [4] abr.
        [5] mai.
        [6] jun.
        [7] jul.
        [8] ago.
        [9] set.
        [10] out.
        [11] nov.
       *[12] dez.
    }

## Todas as páginas

skip-to-content = Pular para o conteúdo
nav-write = Escrever
nav-settings = Configurações
nav-mail-apps = Aplicativos de e-mail
nav-sign-out = Sair
nav-folders = Pastas
nav-manage-folders = Gerenciar pastas
folder-unread =
    { $count ->
        [one] { $count } não lida
       *[other] { $count } não lidas
    }

role-inbox = Caixa de entrada
role-drafts = Rascunhos
role-sent = Enviados
role-archive = Arquivo
role-junk = Spam
role-trash = Lixeira

## Entrar

login-title = Entrar
login-tagline = Seu e-mail, no navegador.
login-username = Endereço de e-mail ou nome de usuário
login-password = Senha
login-submit = Entrar
login-signed-out = Você saiu da sua conta.
login-error-missing = Informe seu endereço de e-mail (ou nome de usuário) e sua senha.
login-error-wrong = Usuário ou senha incorretos. Confira e tente de novo.
login-error-throttled =
    Muitas tentativas de entrar sem sucesso. Aguarde { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    } e tente de novo.
login-error-busy = O Carteiro está muito ocupado agora. Tente de novo daqui a pouco.
login-error-unavailable = Não foi possível contatar o servidor de e-mail agora. Tente de novo daqui a pouco.
login-error-domain = Não há serviço de e-mail para “{ $domain }” aqui. Confira a parte do seu endereço depois do @.
login-error-need-domain = Informe seu endereço de e-mail completo, como ana@exemplo.com.br.

## Páginas de erro

error-title-bad-request = Não foi possível entender o pedido
error-title-forbidden = Pedido recusado
error-title-not-found = Não encontrado
error-title-slow = Pedido lento demais
error-title-too-large = Grande demais
error-title-unavailable = Servidor de e-mail indisponível
error-title-server = Algo deu errado
error-title-other = O pedido falhou
error-go-home = Ir para a caixa de entrada
error-status = Erro { $status }

error-not-found = Esta página, pasta ou mensagem não existe (talvez tenha sido movida ou excluída).
error-login-required = Entre na sua conta.
error-forbidden = Este pedido não veio de uma página do Carteiro e foi recusado. Recarregue a página e tente de novo.
error-slow = O seu pedido parou de chegar no meio do caminho e foi cancelado. Verifique a sua conexão e tente de novo.
error-unavailable = Não foi possível contatar o servidor de e-mail agora. As suas mensagens estão seguras no servidor; tente de novo daqui a pouco.
error-timeout = O servidor de e-mail demorou demais para responder. As suas mensagens estão seguras no servidor; tente de novo daqui a pouco.
error-busy = O Carteiro está muito ocupado agora. Tente de novo daqui a pouco.
error-internal = Algo deu errado do nosso lado. Tente de novo; se continuar acontecendo, avise o administrador.
error-invalid-request = O endereço ou os dados do formulário não são válidos. Volte e tente de novo.
error-method = Este endereço não aceita esse tipo de pedido.
error-too-large = O que você enviou é maior do que o Carteiro aceita.
error-no-role-folder =
    A sua caixa postal não tem a pasta { $role ->
        [drafts] Rascunhos
        [sent] Enviados
        [archive] Arquivo
        [junk] Spam
        [trash] Lixeira
       *[inbox] Caixa de entrada
    }; peça ao administrador para criá-la.
error-page-number = Esse número de página não é válido.
error-search-refused = Não é possível fazer esta busca: { $reason }.
error-search-date = Não é possível fazer esta busca: “{ $date }” não é uma data (use AAAA-MM-DD).
error-search-text = Não é possível fazer esta busca: este servidor de e-mail não busca textos com acento ou em outros alfabetos.
error-no-settings = Não foi possível salvar as configurações: este servidor de e-mail não guarda configurações.

## Listas de mensagens

list-search-results = resultados da busca
list-range = { $first }–{ $last } de { $total }
list-range-conversations = { $first }–{ $last } de { $total } conversas
list-show-messages = Mostrar mensagens
list-show-conversations = Mostrar conversas
list-empty = Nenhuma mensagem aqui.
list-empty-search = Nenhuma mensagem corresponde a esta busca.
list-actions = Ações nas mensagens marcadas
list-move-or-copy-to = Mover ou copiar para…
list-select-page = Todas desta página
list-select-folder =
    { $total ->
        [one] A mensagem desta pasta
       *[other] Todas as { $total } desta pasta
    }
list-empty-folder = Esvaziar { $folder }
list-caption = Mensagens em { $folder }, das mais recentes para as mais antigas
list-column-select = Selecionar
list-column-state = Estado
list-column-from = De
list-column-subject = Assunto
list-column-date = Data
list-column-size = Tamanho
list-select-message = Selecionar { $subject }
list-unread = Não lida
list-flagged = Com estrela
list-answered = Respondida
list-has-attachments = Tem anexos
list-conversation-count = { $count } mensagens nesta conversa
list-to = Para: { $names }
list-unknown-sender = (remetente desconhecido)
no-subject = (sem assunto)
list-undo = Desfazer
pager = Páginas
pager-newer = ← Mais recentes
pager-older = Mais antigas →
pager-page = Página { $page } de { $pages }

## Busca

search-in = Buscar em { $folder }
search-button = Buscar
search-all-folders = Buscar em todas as pastas
search-clear = Limpar
search-advanced = Avançada
search-from = De
search-to = Para
search-subject = Assunto
search-text = Texto
search-since = Desde
search-until = Até
search-unread = Só não lidas
search-flagged = Só com estrela
search-attachment = Com anexos
search-title = Busca
search-found =
    { $count ->
        [one] { $count } encontrada.
       *[other] { $count } encontradas.
    }
search-more = Todas as { $count } em { $folder } →

## Ações nas mensagens

action-mark-read = Marcar como lida
action-mark-unread = Marcar como não lida
action-star = Marcar com estrela
action-unstar = Tirar a estrela
action-archive = Arquivar
action-junk = É spam
action-not-junk = Não é spam
action-delete = Excluir
action-delete-forever = Excluir para sempre
action-folder = Pasta
action-move = Mover
action-copy = Copiar

notice-read =
    { $count ->
        [0] Nenhuma mensagem foi marcada como lida.
        [one] { $count } mensagem marcada como lida.
       *[other] { $count } mensagens marcadas como lidas.
    }
notice-unread =
    { $count ->
        [0] Nenhuma mensagem foi marcada como não lida.
        [one] { $count } mensagem marcada como não lida.
       *[other] { $count } mensagens marcadas como não lidas.
    }
notice-flagged =
    { $count ->
        [0] Nenhuma mensagem foi marcada com estrela.
        [one] { $count } mensagem marcada com estrela.
       *[other] { $count } mensagens marcadas com estrela.
    }
notice-unflagged =
    { $count ->
        [0] Nenhuma estrela foi tirada.
        [one] Estrela tirada de { $count } mensagem.
       *[other] Estrela tirada de { $count } mensagens.
    }
notice-archived =
    { $count ->
        [0] Nenhuma mensagem foi arquivada.
        [one] { $count } mensagem arquivada.
       *[other] { $count } mensagens arquivadas.
    }
notice-junked =
    { $count ->
        [0] Nenhuma mensagem foi movida para o Spam.
        [one] { $count } mensagem movida para o Spam.
       *[other] { $count } mensagens movidas para o Spam.
    }
notice-notjunk =
    { $count ->
        [0] Nenhuma mensagem voltou para a Caixa de entrada.
        [one] { $count } mensagem voltou para a Caixa de entrada.
       *[other] { $count } mensagens voltaram para a Caixa de entrada.
    }
notice-moved =
    { $count ->
        [0] Nenhuma mensagem foi movida para { $folder }.
        [one] { $count } mensagem movida para { $folder }.
       *[other] { $count } mensagens movidas para { $folder }.
    }
notice-copied =
    { $count ->
        [0] Nenhuma mensagem foi copiada para { $folder }.
        [one] { $count } mensagem copiada para { $folder }.
       *[other] { $count } mensagens copiadas para { $folder }.
    }
notice-trashed =
    { $count ->
        [0] Nenhuma mensagem foi movida para a Lixeira.
        [one] { $count } mensagem movida para a Lixeira.
       *[other] { $count } mensagens movidas para a Lixeira.
    }
notice-deleted =
    { $count ->
        [0] Nenhuma mensagem foi excluída.
        [one] { $count } mensagem excluída para sempre.
       *[other] { $count } mensagens excluídas para sempre.
    }

confirm-title = Confirmar
confirm-heading = Tem certeza?
confirm-delete-all =
    { $count ->
        [one] Excluir para sempre a mensagem de { $folder }? Não é possível desfazer.
       *[other] Excluir para sempre todas as { $count } mensagens de { $folder }? Não é possível desfazer.
    }
confirm-delete-selected =
    { $count ->
        [one] Excluir esta mensagem para sempre? Não é possível desfazer.
       *[other] Excluir estas { $count } mensagens para sempre? Não é possível desfazer.
    }
cancel = Cancelar

error-selection = Essa seleção não é válida.
error-select-first = Primeiro selecione pelo menos uma mensagem (marque as caixas na lista).
error-only-trash-emptied = Só a Lixeira e o Spam podem ser esvaziados.
error-choose-action = Escolha uma ação.
error-choose-target = Escolha a pasta para onde mover ou copiar.

## Lendo uma mensagem

message-back = Voltar para { $folder }
message-actions = Ações nesta mensagem
message-move-to = Mover para…
message-reply-and-forward = Responder e encaminhar
message-reply = Responder
message-reply-all = Responder a todos
message-forward = Encaminhar
message-forward-attached = Encaminhar como anexo
header-from = De
header-to = Para
header-cc = Cc
header-reply-to = Responder para
header-date = Data
header-subject = Assunto
message-unreadable = Não foi possível ler esta mensagem.
message-unreadable-source = Ver o código-fonte
message-unreadable-parts = As partes dela ainda podem ser baixadas abaixo.
message-truncated = Esta mensagem é grande ({ $size }); só o começo dela é mostrado. Os anexos estão todos listados abaixo.
message-images-blocked = As imagens remotas foram bloqueadas para proteger a sua privacidade.
message-show-images = Mostrar imagens
message-body = Corpo da mensagem
message-no-text = Esta mensagem não tem texto.
message-conversation = Conversa ({ $count })
message-attachments = Anexos ({ $count })
message-view-source = Ver código-fonte
message-download = Baixar (.eml)
address-in-ascii = O endereço em letras simples
address-look-alike = Cuidado: este domínio imita outro com letras parecidas

## Escrevendo

compose-title = Escrever
compose-new = Nova mensagem
compose-reply = Responder
compose-forward = Encaminhar
compose-to = Para
compose-cc = Cc
compose-bcc = Cco
compose-subject = Assunto
compose-body = Mensagem
compose-attachments = Anexos
compose-attachments-limit = (até { $size } no total)
compose-untick = Desmarque um anexo para tirá-lo.
compose-add-files = Adicionar arquivos
compose-send = Enviar
compose-save = Salvar rascunho
compose-draft-saved = Rascunho salvo.
compose-sent = Mensagem enviada.
compose-kept-in-drafts = A sua mensagem foi salva em Rascunhos, com os anexos.
compose-error-address =
    “{ $address }” em { $field ->
        [cc] Cc
        [bcc] Cco
       *[to] Para
    } não é um endereço de e-mail. Corrija e envie de novo.
compose-error-no-recipient = Adicione pelo menos um destinatário.
compose-error-build = Não foi possível montar a mensagem: { $reason }
compose-error-upload-too-large = Os anexos são maiores do que o Carteiro aceita. Nada foi enviado; volte e tire alguns.
compose-error-form = Não foi possível ler o formulário. Volte e tente de novo.
compose-error-too-large = Os anexos passam de { $limit } no total, e estes não couberam: { $names }. Nada foi enviado nem salvo: tire alguns e escolha de novo os arquivos que tinha acabado de adicionar.
compose-error-too-many-kept = Uma mensagem pode manter no máximo { $count } anexos. Nada foi enviado nem salvo: desmarque alguns e escolha de novo os arquivos que tinha acabado de adicionar.
compose-error-draft-too-large = O rascunho é grande demais para salvar ({ $size }; o limite é { $limit }). Nada foi salvo: encurte o texto ou tire alguns anexos.
send-error-too-large = A mensagem é grande demais para enviar ({ $size }; o limite é { $limit }). Tire ou reduza alguns anexos.
send-error-login = O servidor de e-mail não aceitou o seu login para enviar: { $reason }
send-error-refused = O servidor de e-mail recusou a mensagem: { $reason }
send-error-unavailable = Não foi possível contatar o servidor de envio agora. Tente de novo daqui a pouco.
compose-quote-intro = Em { $date }, { $name } escreveu:
compose-forwarded = ---------- Mensagem encaminhada ----------

## Pastas

folders-title = Pastas
folders-created = Pasta “{ $name }” criada.
folders-renamed = Pasta renomeada para “{ $name }”.
folders-deleted = Pasta “{ $name }” excluída.
folders-subscribed = “{ $name }” agora aparece na lista de pastas.
folders-unsubscribed = “{ $name }” não aparece mais na lista de pastas.
folders-quota = Usando { $used } de { $limit } ({ $percent }%).
folders-confirm-delete = Excluir a pasta “{ $name }” e todas as mensagens dela? Não é possível desfazer.
folders-delete-folder = Excluir pasta
folders-caption = Todas as pastas
folders-column-folder = Pasta
folders-column-messages = Mensagens
folders-column-shown = Visível
folders-column-rename = Renomear
folders-column-delete = Excluir
folders-hide = Ocultar
folders-show = Mostrar
folders-new-name-for = Novo nome para { $name }
folders-rename = Renomear
folders-delete = Excluir
folders-new = Nova pasta
folders-name = Nome
folders-inside = Dentro de
folders-top-level = (nível principal)
folders-create = Criar
folders-error-rename-protected = A Caixa de entrada e as pastas especiais não podem ser renomeadas.
folders-error-delete-protected = A Caixa de entrada e as pastas especiais não podem ser excluídas.
folders-error-inbox-shown = A Caixa de entrada sempre aparece.
folders-error-choose = Escolha o que fazer com a pasta.
folders-error-refused = O servidor de e-mail recusou: { $reason }
folders-error-no-name = Dê um nome à pasta.
folders-error-name-too-long = O nome de uma pasta deve ser uma linha de no máximo 200 caracteres.

## Aplicativos de e-mail

apps-title = Usar o seu e-mail em um aplicativo
apps-intro = Você também pode ler e enviar os seus e-mails com um aplicativo de e-mail no computador ou no celular, como o Thunderbird, o Outlook ou o Mail da Apple. O aplicativo e este webmail mostram a mesma caixa postal.
apps-user-name = Nome de usuário
apps-password = Senha
apps-password-value = a mesma deste webmail, { $product }
apps-authentication = Autenticação
apps-authentication-value = senha normal
apps-incoming = Recebimento
apps-incoming-servers = Servidores de recebimento
apps-outgoing = Envio
apps-outgoing-servers = Servidores de envio
apps-column-protocol = Protocolo
apps-column-server = Servidor
apps-column-port = Porta
apps-column-security = Segurança
apps-pop3-note = O IMAP mantém as suas pastas iguais em todos os aplicativos. O POP3 só baixa a caixa de entrada: configure o aplicativo para deixar as mensagens no servidor, senão elas somem daqui.
apps-several = Quando um protocolo tem vários servidores, use o primeiro; os outros servem para redes em que o primeiro não funciona.
apps-automatic = Configuração automática
apps-automatic-text = O Thunderbird e o Outlook podem encontrar essas configurações sozinhos quando você informa o seu endereço de e-mail e a sua senha, se o seu provedor tiver preparado isso.
apps-profile-devices = iPhone, iPad e Mac:
apps-profile-link = baixe o perfil de configuração
apps-profile-steps = , abra-o e instale-o (no iPhone e no iPad, em Ajustes, em “Perfil Baixado”). Ele não contém a sua senha: ela será pedida.
apps-not-configured = O administrador não informou quais servidores os aplicativos de e-mail devem usar.

## Configurações

reader-pane = Painel de leitura
reader-pane-empty = Selecione uma mensagem para lê-la aqui.
settings-title = Configurações
settings-saved = Configurações salvas.
settings-save = Salvar
settings-signature = Assinatura
settings-signature-help = Vai abaixo das novas mensagens, respostas e encaminhamentos. Fica guardada no seu servidor de e-mail, então acompanha você em todos os aparelhos.
settings-language = Idioma
settings-language-automatic = Automático (o idioma do seu navegador)
settings-language-help = Fica guardado no seu servidor de e-mail, então acompanha você em todos os aparelhos.
settings-error-not-saved = Não foi possível salvar as configurações: { $reason }
settings-theme = Tema
settings-theme-auto = Automático (como o seu sistema)
settings-theme-light = Claro
settings-theme-dark = Escuro
settings-page-size = Mensagens por página
settings-display-name = Seu nome
settings-display-name-help = Aparece para as pessoas a quem você escreve, antes do seu endereço.
settings-known-images = Mostrar imagens nos e-mails de pessoas a quem já escrevi
settings-known-images-help = Os outros e-mails continuam perguntando antes. Imagens podem avisar ao remetente que você leu a mensagem.
settings-appearance = Aparência
settings-reading = Leitura
settings-writing = Escrita

## Melhorias (app.js): atalhos, atualização ao vivo, progresso do envio

compose-uploading = Enviando…
shortcuts-title = Atalhos de teclado
shortcuts-intro = Com o JavaScript ativado, estas teclas funcionam em qualquer lugar, exceto enquanto você digita em um campo.
shortcut-next-previous = Mensagem seguinte / anterior (numa lista: move o cursor)
shortcut-open = Abrir a mensagem sob o cursor
shortcut-back = Voltar à lista
shortcut-compose = Escrever uma mensagem
shortcut-reply = Responder
shortcut-reply-all = Responder a todos
shortcut-forward = Encaminhar
shortcut-archive = Arquivar
shortcut-delete = Excluir
shortcut-star = Marcar ou desmarcar com estrela
shortcut-search = Buscar
shortcut-inbox = Ir para a Caixa de entrada
shortcut-help = Mostrar esta ajuda
shortcut-close = Fechar esta ajuda
shortcuts-mouse = Clique com Shift numa caixa de seleção para marcar todas as mensagens até ela; arraste mensagens até uma pasta para movê-las para lá.
shortcuts-close = Fechar
notify-button = Avisar-me quando chegar mensagem nova
notify-on = Você será avisado de mensagens novas enquanto o Carteiro estiver aberto.
notify-blocked = Este navegador bloqueia as notificações do Carteiro.
# $count é quantas mensagens chegaram.
notify-new-mail = Mensagens novas na sua Caixa de entrada: { $count }
compose-files-too-large = Os arquivos escolhidos passam do limite indicado acima. Tire alguns e tente de novo.

## Trocar a senha

password-title = Trocar a senha
settings-password = Trocar a senha
settings-password-help = a senha com que você entra, aqui e nos seus aplicativos de e-mail.
password-current = Senha atual
password-new = Nova senha
password-repeat = Nova senha de novo
password-rules = Pelo menos { $min } caracteres, cinco deles diferentes; não pode ser o seu endereço de e-mail ou nome de usuário, nem a senha atual, nem uma das senhas mais comuns. Algumas palavras juntas formam uma senha longa e fácil de lembrar.
password-submit = Trocar a senha
password-changed = Sua senha foi trocada. Você continua conectado aqui; seus aplicativos de e-mail e outros aparelhos vão pedir a nova senha.
password-elsewhere = A senha não é trocada no Carteiro: o seu provedor de e-mail a troca em outro lugar, como o painel de controle dele. Pergunte a ele como.
password-error-missing = Preencha os três campos.
password-error-mismatch = A nova senha e a repetição dela não são iguais. Digite-as de novo.
password-error-too-short = A nova senha precisa de pelo menos { $min } caracteres.
password-error-too-long = A nova senha pode ter no máximo { $max } caracteres.
password-error-control = A nova senha não pode conter quebras de linha nem outros caracteres invisíveis.
password-error-login = A nova senha não pode ser o seu endereço de e-mail ou nome de usuário, com ou sem números ou símbolos.
password-error-current = A nova senha precisa ser diferente da atual.
password-error-few-distinct = A nova senha precisa de pelo menos { $min } caracteres diferentes.
password-error-common = Essa é uma das senhas mais comuns, que são as primeiras a serem tentadas. Escolha outra.
password-error-throttled =
    Muitas tentativas com a senha atual errada. Espere { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    } e tente de novo.
password-error-wrong-current = A senha atual não está certa. Confira e tente de novo.
password-error-backend-current = O servidor que guarda as senhas não aceitou a sua senha atual, então ela não foi trocada. Avise o seu provedor de e-mail.
password-error-backend-new = O servidor que guarda as senhas recusou a nova senha pelas regras dele. Escolha outra.
password-error-unavailable = Não foi possível trocar a sua senha agora, e ela continua a mesma. Tente de novo daqui a pouco.
