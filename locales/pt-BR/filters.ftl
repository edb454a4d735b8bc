# Filtros e resposta automática de ausência: scripts Sieve no servidor ManageSieve
# (Configurações → Ausência, Configurações → Filtros, o aviso em todas as páginas, modo avançado).

## O aviso em todas as páginas enquanto a resposta de ausência está ligada

vacation-banner-on = Sua resposta automática de ausência está ligada.
vacation-banner-until = Sua resposta automática de ausência está ligada até { $end }.
vacation-banner-from = Sua resposta automática de ausência começa em { $start }.
vacation-banner-later = Sua resposta automática de ausência está programada de { $start } a { $end }.
vacation-banner-change = Alterar
vacation-banner-off = Desligar

## Ausência

vacation-title = Ausência
vacation-intro = Enquanto você estiver fora, quem escrever para você recebe esta resposta. Quem envia é o seu servidor de e-mail, então ela funciona mesmo com o Carteiro fechado.
vacation-reply = Resposta automática
vacation-enabled = Enviar uma resposta automática
vacation-start = Primeiro dia (opcional)
vacation-end = Último dia (opcional)
vacation-dates-help = Os dois dias estão incluídos. Deixe em branco para responder a partir de agora até você desligar.
vacation-subject = Assunto
vacation-subject-help = Se ficar em branco, o assunto da resposta é “Auto:” seguido do assunto da mensagem recebida.
vacation-body = Mensagem
vacation-addresses = Para quem responder
vacation-addresses-help = Só recebem resposta as mensagens enviadas para um destes endereços. Listas de discussão e mensagens automáticas nunca recebem.
vacation-from = Responder como
vacation-from-server = O endereço para o qual a mensagem foi enviada
vacation-days = Dias entre respostas para o mesmo remetente
vacation-days-help = Quem escrever de novo dentro desse prazo não recebe uma segunda resposta.
vacation-saved = Resposta de ausência salva.
vacation-turned-off = Sua resposta de ausência foi desligada.
vacation-error-date = “{ $date }” não é uma data. Escreva assim: 2025-03-31.
vacation-error-days = “{ $days }” não é um número de dias.

## Filtros: encaminhamento e a lista de regras

filters-title = Filtros
filters-intro = O seu servidor de e-mail organiza as mensagens novas assim que chegam, seguindo estas regras, nesta ordem. Também neste servidor:
filters-running-ours = Os filtros do Carteiro são os que o seu servidor de e-mail executa.
filters-running-other = O seu servidor de e-mail executa o script “{ $name }”, criado por outro programa. Os filtros do Carteiro só passam a valer quando você escolhê-los no lugar dele.
filters-running-none = Nenhum filtro está ativo no seu servidor de e-mail ainda: ao salvar aqui, eles passam a valer.
filters-foreign = O script de filtros do Carteiro foi alterado à mão ou por outro programa, então não dá para mostrá-lo como regras aqui. Ao salvar aqui, você começa de novo, e aquele script continua guardado no servidor com outro nome.
filters-expert-open = Abrir no modo avançado
filters-other-active = O seu servidor de e-mail executa o script “{ $name }”, criado por outro programa.
filters-other-active-edit = Editar esse script
filters-confirm-other = O seu servidor de e-mail executa agora o script “{ $name }”. Se você salvar, os filtros do Carteiro passam a valer e “{ $name }” deixa de ser executado (ele continua no servidor, e você pode editá-lo no modo avançado).
filters-confirm-button = Salvar e usar os filtros do Carteiro no lugar dele
filters-saved = Filtros salvos.
filters-kept = Salvo. O script que você tinha alterado à mão continua no servidor com o nome “{ $name }”.
forward-title = Encaminhamento
forward-enabled = Encaminhar todas as minhas mensagens
forward-to = Para
forward-keep-copy = Manter uma cópia aqui também
filters-rules = Regras
filters-no-rules = Nenhuma regra ainda.
filters-column-rule = Regra
filters-column-when = Quando chega uma mensagem e
filters-column-then = Então
filters-rule-off = (desligada)
filters-up = Subir
filters-down = Descer
filters-disable = Desligar
filters-enable = Ligar
filters-delete = Excluir
filters-add-rule = Adicionar uma regra
filters-edit-rule = Editar regra
filters-expert = Modo avançado
filters-expert-help = o próprio script Sieve, verificado pelo seu servidor de e-mail antes de ser salvo.

## Uma regra

filters-rule-name = Nome
filters-rule-enabled = Esta regra está ligada
filters-rule-every-message = Todas as mensagens
filters-conditions = Quando chega uma mensagem
filters-match-all = e atende a todas estas condições
filters-match-any = e atende a qualquer uma destas condições
filters-conditions-help = Linhas vazias são ignoradas; sem nenhuma condição, a regra vale para todas as mensagens. Tamanhos se escrevem assim: 500K ou 2M.
filters-condition-n = Condição { $number }
filters-field = Campo
filters-header-name = Nome do cabeçalho
filters-header-placeholder = Cabeçalho, se “Outro cabeçalho”
filters-op = Comparação
filters-value = Valor
filters-more-conditions = Mais uma condição
filters-actions = Então
filters-actions-help = As ações são executadas nesta ordem. Escolha uma pasta para “Mover para” e “Copiar para”, e um endereço para “Encaminhar para”.
filters-action-n = Ação { $number }
filters-action = Ação
filters-action-none = Escolha uma ação
filters-folder = Pasta
filters-folder-none = Escolha uma pasta
filters-address = Endereço
filters-address-placeholder = Endereço, se “Encaminhar para”
filters-more-actions = Mais uma ação
filter-field-from = De
filter-field-to = Para ou Cc
filter-field-subject = Assunto
filter-field-list = Lista de discussão (List-Id)
filter-field-header = Outro cabeçalho
filter-field-size = Tamanho
filter-op-contains = contém
filter-op-not-contains = não contém
filter-op-is = é
filter-op-is-not = não é
filter-op-matches = corresponde a (* e ?)
filter-op-over = é maior que
filter-op-under = é menor que
filter-action-move = Mover para
filter-action-copy = Copiar para
filter-action-read = Marcar como lida
filter-action-flag = Marcar com estrela
filter-action-forward = Encaminhar para
filter-action-discard = Apagar sem deixar rastro
filter-action-stop = Parar aqui (sem as regras seguintes)
filter-summary-condition = { $field } { $op } “{ $value }”
filter-summary-and = e
filter-summary-or = ou
filter-summary-every-message = todas as mensagens

## Modo avançado

filters-expert-ours = O script do próprio Carteiro. Depois que você alterá-lo aqui, a página Filtros não consegue mais mostrá-lo como regras.
filters-expert-other = O script “{ $name }”, criado por outro programa. Salvá-lo não muda qual script o seu servidor de e-mail executa.
filters-scripts = Scripts no seu servidor de e-mail
filters-script-active = em uso
filters-script-text = Script “{ $name }”
filters-script-check = Verificar
filters-script-ok = O seu servidor de e-mail aceita este script.
filters-script-saved = Script salvo.
filters-script-error-where = Onde o seu servidor de e-mail encontrou o erro:

## Erros

filters-not-offered = O seu servidor de e-mail não oferece filtros nem resposta de ausência.
filters-error-unavailable = Não foi possível falar com o servidor de filtros agora. Nada foi alterado; tente de novo daqui a pouco.
filters-error-sign-in = O servidor de filtros não aceitou o seu login. Saia e entre de novo, depois tente outra vez.
filters-error-quota = O seu servidor de e-mail não tem espaço para isto: { $reason }
filters-error-script-line = Linha { $line }: { $reason }
filters-error-script = O seu servidor de e-mail recusou o script: { $reason }
filters-error-server = O seu servidor de e-mail recusou: { $reason }
filters-error-changed = Os seus filtros foram alterados em outro lugar nesse meio-tempo. Confira-os de novo antes de alterar.
filters-error-no-such-script = Não existe esse script no seu servidor de e-mail.
filters-error-invalid = Algo nestes filtros não pode ser salvo.
filters-error-no-action = Escolha pelo menos uma ação.
filters-error-unsupported = O seu servidor de e-mail não consegue fazer isto: falta a extensão Sieve “{ $extension }”. Nada foi alterado.

## Em outros lugares

message-filter-like = Filtrar mensagens como esta
settings-incoming = Mensagens recebidas
settings-vacation-help = uma resposta automática enquanto você estiver fora.
settings-filters-help = organizar, encaminhar ou apagar as mensagens novas assim que chegam.

## O que as verificações encontraram, mostrado como “onde: o quê”

filters-problem = { $place }: { $what }
filters-place-filters = Seus filtros
filters-place-forward = Endereço de encaminhamento
filters-place-vacation-start = Primeiro dia
filters-place-vacation-end = Último dia
filters-place-vacation-subject = Assunto
filters-place-vacation-body = Mensagem
filters-place-vacation-addresses = Para quem responder
filters-place-vacation-from = Responder como
filters-place-vacation-days = Dias entre respostas
filters-place-rule-name = Nome
filters-place-rule-conditions = Condições
filters-place-rule-condition = Condição { $number }
filters-place-rule-actions = Ações
filters-place-rule-action = Ação { $number }
filters-problem-empty = não pode ficar em branco.
filters-problem-too-long = longo demais (no máximo { $max } caracteres).
filters-problem-too-many = itens demais (no máximo { $max }).
filters-problem-control-character = contém um caractere que não pode ser usado aqui (como uma quebra de linha).
filters-problem-not-an-address = não é um endereço de e-mail. Escreva assim: ana@exemplo.com.br.
filters-problem-not-a-mailbox = não é um endereço de e-mail. Escreva assim: Ana Silva <ana@exemplo.com.br>.
filters-problem-not-a-header-name = não é um nome de cabeçalho (letras, números e hifens, como X-Spam-Flag).
filters-problem-not-a-size = não é um tamanho. Escreva assim: 500K ou 2M.
filters-problem-wrong-operator = essa comparação não combina com este campo (“é maior que” e “é menor que” valem só para o tamanho).
filters-problem-days-out-of-range = escolha entre { $min } e { $max } dias.
filters-problem-end-before-start = o último dia vem antes do primeiro.
filters-problem-after-stop = nada depois de “Parar aqui” seria executado.
filters-problem-too-large = seus filtros ficariam grandes demais (no máximo { $max } KB). Remova algumas regras antes.
