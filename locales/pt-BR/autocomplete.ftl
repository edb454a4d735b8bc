# Sugestões de destinatários nos campos Para, Cc e Cco da página de escrever.

# Ao lado de uma sugestão que não está nos contatos: alguém para quem a pessoa já escreveu.
autocomplete-collected = já recebeu mensagem sua
# A lista de sugestões, para leitores de tela.
autocomplete-label = Destinatários sugeridos
# Anunciado aos leitores de tela quando as sugestões mudam.
autocomplete-results = { $count ->
    [0] Nenhuma sugestão.
    [one] Uma sugestão. Use as setas para cima e para baixo para escolher e Enter para inserir.
   *[other] { $count } sugestões. Use as setas para cima e para baixo para escolher e Enter para inserir uma.
}
