# O catálogo de endereços: lista, busca, adicionar, editar, excluir, importar e exportar.
nav-contacts = Contatos
contacts-title = Contatos
contacts-add = Adicionar contato
contacts-search = Buscar contatos
contacts-search-button = Buscar
contacts-search-clear = Mostrar todos
contacts-empty = Você ainda não tem contatos. Adicione um contato, importe um arquivo .vcf ou adicione o remetente de uma mensagem na própria mensagem.
contacts-none-found = Nenhum contato corresponde a “{ $query }”.
contacts-count =
    { $count ->
        [one] { $count } contato.
       *[other] { $count } contatos.
    }
contacts-found =
    { $count ->
        [one] { $count } contato encontrado
       *[other] { $count } contatos encontrados
    } de { $total }.
contacts-caption = Seus contatos
contacts-column-name = Nome
contacts-column-emails = E-mails
contacts-column-phones = Telefones
contacts-column-organization = Empresa
contacts-write-to = Escrever para { $address }
contacts-back = Voltar aos contatos
contacts-added = Contato adicionado: { $name }.
contacts-saved = Alterações salvas: { $name }.
contacts-deleted = Contato excluído: { $name }.

contacts-transfer = Importar e exportar
contacts-import-file = Arquivo vCard (.vcf)
contacts-import = Importar
contacts-import-help = Um arquivo .vcf de outra agenda (vCard 3 ou 4), de até { $size }. Contatos que já estão aqui não são adicionados de novo.
contacts-export = Baixar todos os contatos (contacts.vcf)
contacts-import-title = Importar contatos
contacts-export-title = Exportar contatos
contacts-import-added =
    { $count ->
        [0] Nenhum contato foi adicionado.
        [one] { $count } contato foi adicionado.
       *[other] { $count } contatos foram adicionados.
    }
contacts-import-skipped =
    { $count ->
        [one] { $count } item do arquivo foi ignorado:
       *[other] { $count } itens do arquivo foram ignorados:
    }
contacts-import-skipped-caption = Itens não importados
contacts-import-column-entry = Item
contacts-import-column-what = Contato
contacts-import-column-reason = Motivo
contacts-import-more =
    { $count ->
        [one] …e mais { $count } item.
       *[other] …e mais { $count } itens.
    }
contacts-import-too-large = O arquivo é grande demais para importar.
contacts-import-unreadable = Não foi possível ler o envio. Tente de novo.
contacts-import-no-file = Escolha um arquivo .vcf para importar.
contacts-skip-malformed = Não é um vCard legível.
contacts-skip-empty = Não tem nome nem e-mail.
contacts-skip-too-large = Grande demais para um contato.
contacts-skip-too-many = Itens demais em um só arquivo; importe o resto em outro arquivo.
contacts-skip-already-there = Já está nos seus contatos.
contacts-skip-not-saved = Não foi salvo: o servidor de contatos parou de responder. Importe o arquivo de novo para adicioná-lo.

contact-new-title = Novo contato
contact-edit-title = Editar contato
contact-name = Nome
contact-emails = E-mails
contact-phones = Telefones
contact-one-per-line = Um por linha.
contact-organization = Empresa
contact-note = Observação
contact-save = Salvar contato
contact-delete = Excluir contato
contact-confirm-delete = Excluir { $name } dos seus contatos? Não é possível desfazer.
contact-delete-confirmed = Excluir
contact-already = { $name } já está nos seus contatos com este endereço.
contact-already-open = Abrir o contato
message-add-to-contacts = Adicionar aos contatos

contacts-error-empty = Dê ao contato um nome ou um e-mail.
contacts-error-address = “{ $address }” não é um endereço de e-mail. Nada foi salvo; corrija e salve de novo.
contacts-error-unavailable = O servidor de contatos não está acessível agora. Nada foi perdido: tente de novo daqui a pouco.
contacts-error-refused = O servidor de contatos recusou: { $reason }. Nada foi salvo.
contacts-error-auth = O servidor de contatos não aceitou seu login. Nada foi salvo; fale com seu provedor se isso continuar.
contacts-error-not-found = Este contato não está mais nos seus contatos.
contacts-error-conflict = Este contato foi alterado em outro lugar enquanto isso. Abra-o de novo para ver as alterações.
contacts-error-protocol = O servidor de contatos respondeu algo que o Carteiro não conseguiu ler. Nada foi salvo; tente de novo mais tarde.
