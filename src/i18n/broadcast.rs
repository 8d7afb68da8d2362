//! Texts of the channel and broadcast pages. Placeholders in braces are filled in by the handlers.

macro_rules! broadcast_texts {
    ($($key:ident: $en:literal, $fr:literal;)+) => {
        pub struct BroadcastText { $(pub $key: &'static str,)+ }
        pub static EN: BroadcastText = BroadcastText { $($key: $en,)+ };
        pub static FR: BroadcastText = BroadcastText { $($key: $fr,)+ };
    };
}

broadcast_texts! {
    nav_channels: "Channels", "Canaux";
    nav_failures: "Broadcast failures", "Échecs de diffusion";
    channels_title: "Channels", "Canaux";
    channels_intro: "The accounts where openings are published. Only administrators connect or disconnect them.", "Les comptes sur lesquels les offres sont publiées. Seuls les administrateurs peuvent les connecter ou les déconnecter.";
    no_channels: "No channel connected yet.", "Aucun canal connecté pour l'instant.";
    connect_a_channel: "Connect a channel", "Connecter un canal";
    col_network: "Network", "Réseau";
    col_account: "Account", "Compte";
    col_health: "Health", "État";
    col_checked: "Last check", "Dernière vérification";
    health_connected: "Connected", "Connecté";
    health_reconnect: "Reconnect needed", "Reconnexion nécessaire";
    token_expires: "The access expires on {date}: reconnect before then.", "L'accès expire le {date} : reconnectez le compte avant.";
    reconnect: "Reconnect", "Reconnecter";
    disconnect: "Disconnect", "Déconnecter";
    check_now: "Check now", "Vérifier maintenant";
    disconnect_title: "Disconnect {name}?", "Déconnecter {name} ?";
    disconnect_text: "Nothing more will be published on this account, and its credentials are erased. Its publication history stays.", "Plus rien ne sera publié sur ce compte et ses identifiants seront effacés. L'historique de ses publications est conservé.";
    disconnect_confirm: "Yes, disconnect", "Oui, déconnecter";
    done_connected: "Channel connected.", "Canal connecté.";
    done_reconnected: "Channel reconnected.", "Canal reconnecté.";
    done_disconnected: "Channel disconnected.", "Canal déconnecté.";
    done_checked: "The account works.", "Le compte fonctionne.";
    check_failed: "The check failed: {reason}", "La vérification a échoué : {reason}";
    not_available: "not available in this build", "non disponible dans cette version";
    choose_network: "Choose a network", "Choisissez un réseau";
    connect_title: "Connect {network}", "Connecter {network}";
    reconnect_title: "Reconnect {name}", "Reconnecter {name}";
    connect: "Connect", "Connecter";
    continue_to: "Continue to {network}", "Continuer vers {network}";
    not_configured: "{network} is not configured on this server.", "{network} n'est pas configuré sur ce serveur.";
    not_configured_x: "Set HIRECAST_X_CLIENT_ID and HIRECAST_X_CLIENT_SECRET to connect X accounts.", "Définissez HIRECAST_X_CLIENT_ID et HIRECAST_X_CLIENT_SECRET pour connecter des comptes X.";
    not_configured_linkedin: "Set HIRECAST_LINKEDIN_CLIENT_ID and HIRECAST_LINKEDIN_CLIENT_SECRET to connect LinkedIn accounts.", "Définissez HIRECAST_LINKEDIN_CLIENT_ID et HIRECAST_LINKEDIN_CLIENT_SECRET pour connecter des comptes LinkedIn.";
    not_configured_email: "Set HIRECAST_SMTP_URL to send job alerts by email.", "Définissez HIRECAST_SMTP_URL pour envoyer des alertes par e-mail.";
    f_instance: "Instance address", "Adresse de l'instance";
    f_instance_hint: "For example https://mastodon.social. You will approve the access on the instance.", "Par exemple https://mastodon.social. Vous autoriserez l'accès sur l'instance.";
    f_access_token: "Or paste an access token", "Ou collez un jeton d'accès";
    f_access_token_hint: "Created in the instance's Preferences → Development, with the scopes read and write:statuses. Leave empty to sign in on the instance instead.", "Créé dans Préférences → Développement de l'instance, avec les droits read et write:statuses. Laissez vide pour vous connecter sur l'instance.";
    f_handle: "Handle or DID", "Identifiant ou DID";
    f_handle_hint: "For example jobs.bsky.social or did:plc:….", "Par exemple jobs.bsky.social ou did:plc:….";
    f_app_password: "App password", "Mot de passe d'application";
    f_app_password_hint: "An app password created in Bluesky's Settings → Privacy and security → App passwords: not the account's password.", "Un mot de passe d'application créé dans Paramètres → Confidentialité et sécurité → Mots de passe d'application de Bluesky : pas le mot de passe du compte.";
    f_webhook_url: "Webhook address", "Adresse du webhook";
    f_webhook_url_hint: "The incoming webhook's address, starting with https://. It is stored encrypted.", "L'adresse du webhook entrant, commençant par https://. Elle est conservée chiffrée.";
    f_signing_secret: "Signing secret", "Secret de signature";
    f_signing_secret_hint: "Used to sign each request (HMAC-SHA256). Leave empty to have one generated.", "Sert à signer chaque requête (HMAC-SHA256). Laissez vide pour en générer un.";
    f_list_name: "List name", "Nom de la liste";
    f_list_name_hint: "Subscribers of this list receive the openings that match their alert.", "Les abonnés de cette liste reçoivent les offres qui correspondent à leur alerte.";
    oauth_note: "You will be sent to {network} to approve the access, then brought back here.", "Vous serez envoyé sur {network} pour autoriser l'accès, puis ramené ici.";
    f_post_as: "Post as", "Publier en tant que";
    post_as_member: "Me (my LinkedIn profile)", "Moi (mon profil LinkedIn)";
    post_as_organization: "A LinkedIn page I administer", "Une page LinkedIn que j'administre";
    post_as_hint: "Posting as a page needs this server's LinkedIn app to have the Community Management API. If you administer several pages, you choose one after approving.", "Publier en tant que page demande que l'application LinkedIn de ce serveur ait l'API Community Management. Si vous administrez plusieurs pages, vous en choisirez une après l'autorisation.";
    pick_organization_title: "Choose the LinkedIn page", "Choisissez la page LinkedIn";
    pick_organization_intro: "You administer several LinkedIn pages. Openings will be published on the one you choose.", "Vous administrez plusieurs pages LinkedIn. Les offres seront publiées sur celle que vous choisissez.";
    pick_organization_submit: "Post as this page", "Publier en tant que cette page";
    pick_organization_required: "Choose one of the pages listed.", "Choisissez l'une des pages proposées.";
    no_organization: "This LinkedIn member administers no page that hirecast may post as (an administrator or content administrator role is needed).", "Ce membre LinkedIn n'administre aucune page au nom de laquelle hirecast peut publier (il faut un rôle d'administrateur ou d'administrateur de contenu).";
    secret_created: "Copy this signing secret now: it will not be shown again.", "Copiez ce secret de signature maintenant : il ne sera plus affiché.";
    field_required: "is required", "est obligatoire";
    oauth_unknown: "This authorization is unknown or has expired. Start connecting the account again.", "Cette autorisation est inconnue ou a expiré. Recommencez la connexion du compte.";
    oauth_refused: "{network} did not grant the access: {reason}", "{network} n'a pas accordé l'accès : {reason}";
    oauth_no_code: "The network sent back no authorization code.", "Le réseau n'a renvoyé aucun code d'autorisation.";
    unknown_network: "Unknown network.", "Réseau inconnu.";

    broadcast_title: "Broadcast", "Diffusion";
    publish_to: "Publish to", "Publier sur";
    no_connected_channels: "No channel is connected. An administrator can connect one on the Channels page.", "Aucun canal n'est connecté. Un administrateur peut en connecter un sur la page Canaux.";
    when: "When", "Quand";
    when_now: "Now", "Maintenant";
    when_later: "At a chosen time", "À une date choisie";
    f_at: "Date and time", "Date et heure";
    f_at_hint: "In your time zone ({tz}).", "Dans votre fuseau horaire ({tz}).";
    f_repost: "Re-post every … days", "Republier tous les … jours";
    f_repost_hint: "Optional, from 1 to 90, while the opening is open.", "Facultatif, de 1 à 90, tant que l'offre est ouverte.";
    on_close: "When the opening closes", "À la clôture de l'offre";
    on_close_nothing: "Do nothing", "Ne rien faire";
    on_close_reply: "Reply “position filled”", "Répondre « poste pourvu »";
    on_close_delete: "Delete the post", "Supprimer la publication";
    publish_submit: "Publish", "Publier";
    done_broadcast: "Publishing: {n} new deliveries.", "Publication en cours : {n} nouvelles diffusions.";
    done_broadcast_none: "Nothing new to publish: these channels already have this opening.", "Rien de nouveau à publier : ces canaux ont déjà cette offre.";
    choose_a_channel: "choose at least one channel", "choisissez au moins un canal";
    err_unknown_account: "this channel is not connected (any more)", "ce canal n'est pas (ou plus) connecté";
    err_not_ready: "{name} needs reconnecting: {reason}", "{name} doit être reconnecté : {reason}";
    err_past: "is in the past", "est dans le passé";
    err_bad_time: "must be a date and time, such as 2026-12-01 09:30", "doit être une date et une heure, par exemple 2026-12-01 09:30";
    err_no_such_time: "does not exist in {tz} (the clocks change then)", "n'existe pas dans le fuseau {tz} (changement d'heure)";
    err_repost: "must be a whole number from 1 to 90", "doit être un nombre entier de 1 à 90";
    err_on_close: "is not possible on this channel", "n'est pas possible sur ce canal";
    deliveries_title: "Deliveries", "Diffusions";
    no_deliveries: "Not published on any channel yet.", "Publiée sur aucun canal pour l'instant.";
    col_channel: "Channel", "Canal";
    col_kind: "Kind", "Type";
    col_state: "State", "État";
    col_attempts: "Attempts", "Tentatives";
    col_opening: "Opening", "Offre";
    col_reason: "Reason", "Raison";
    col_when: "When", "Quand";
    col_detail: "Detail", "Détail";
    kind_post: "Post", "Publication";
    kind_repost: "Re-post", "Republication";
    kind_filled_reply: "“Filled” reply", "Réponse « pourvu »";
    kind_delete: "Deletion", "Suppression";
    state_scheduled: "Scheduled", "Programmée";
    state_queued: "Queued", "En attente";
    state_sending: "Sending", "Envoi en cours";
    state_published: "Published", "Publiée";
    state_unconfirmed: "Unconfirmed", "Non confirmée";
    state_failed: "Failed", "Échec";
    state_cancelled: "Cancelled", "Annulée";
    needs_review: "Check on the channel whether it was posted.", "Vérifiez sur le canal si elle a été publiée.";
    view_post: "View the post", "Voir la publication";
    details: "Details", "Détails";
    retry: "Retry", "Réessayer";
    confirm_published: "It is published", "Elle est publiée";
    confirm_url: "Address of the post (optional)", "Adresse de la publication (facultatif)";
    cancel: "Cancel", "Annuler";
    done_retried: "Delivery queued again.", "Diffusion remise en attente.";
    done_cancelled: "Delivery cancelled.", "Diffusion annulée.";
    done_confirmed: "Delivery marked as published.", "Diffusion marquée comme publiée.";
    refused_state: "Not possible for a delivery in the state “{state}”.", "Impossible pour une diffusion à l'état « {state} ».";
    err_url: "must start with http:// or https://", "doit commencer par http:// ou https://";
    delivery_title: "Delivery to {channel}", "Diffusion sur {channel}";
    history: "History", "Historique";
    due: "Due", "Prévue";
    published_at: "Published", "Publiée le";
    last_error: "Last error", "Dernière erreur";
    failures_title: "Broadcast failures", "Échecs de diffusion";
    failures_intro: "Deliveries that failed, and those whose outcome is unknown on channels that cannot be checked automatically.", "Les diffusions en échec, et celles dont le résultat est inconnu sur des canaux qui ne peuvent pas être vérifiés automatiquement.";
    no_failures: "Nothing needs your attention.", "Rien ne requiert votre attention.";
    time_zone_title: "Time zone", "Fuseau horaire";
    time_zone_hint: "Scheduled publications are entered and shown in this time zone.", "Les publications programmées sont saisies et affichées dans ce fuseau horaire.";
    time_zone_saved: "Time zone saved.", "Fuseau horaire enregistré.";
    time_zone_unknown: "is not a known time zone (such as Europe/Paris)", "n'est pas un fuseau horaire connu (par exemple Europe/Paris)";
    post_settings: "Posts", "Publications";
    post_settings_title: "How {name} posts", "Publications de {name}";
    post_settings_intro: "Leave a template empty to use the organization's template for this network (Settings → Post templates).", "Laissez un modèle vide pour utiliser celui de l'organisation pour ce réseau (Paramètres → Modèles de publication).";
    f_template_fr: "Template in French", "Modèle en français";
    f_template_en: "Template in English", "Modèle en anglais";
    f_allow_thread: "Write a thread when an opening does not fit one post", "Écrire un fil quand une offre ne tient pas en une publication";
    f_max_hashtags: "Most hashtags per post", "Nombre maximal de hashtags par publication";
    f_max_hashtags_hint: "Empty: the network's default ({n}).", "Vide : la valeur par défaut du réseau ({n}).";
    f_max_length: "Longest post (X Premium)", "Publication la plus longue (X Premium)";
    f_max_length_hint: "Empty: 280. X Premium accounts may post up to 25,000.", "Vide : 280. Les comptes X Premium peuvent publier jusqu'à 25 000.";
    post_settings_saved: "Post settings saved.", "Réglages de publication enregistrés.";
}

pub fn text(lang: super::Lang) -> &'static BroadcastText {
    match lang {
        super::Lang::En => &EN,
        super::Lang::Fr => &FR,
    }
}
