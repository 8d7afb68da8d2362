//! Texts of the recruiter app. Placeholders in braces (`{n}`) are filled in by the handlers.

macro_rules! ui_texts {
    ($($key:ident: $en:literal, $fr:literal;)+) => {
        pub struct UiText { $(pub $key: &'static str,)+ }
        pub static EN: UiText = UiText { $($key: $en,)+ };
        pub static FR: UiText = UiText { $($key: $fr,)+ };
    };
}

ui_texts! {
    app_name: "Hirecast", "Hirecast";
    skip_to_content: "Skip to content", "Aller au contenu";
    main_nav: "Main navigation", "Navigation principale";
    nav_dashboard: "Dashboard", "Tableau de bord";
    nav_openings: "Openings", "Offres";
    nav_team: "Team", "Équipe";
    nav_settings: "Settings", "Paramètres";
    sign_out: "Sign out", "Se déconnecter";
    language_label: "Language", "Langue";
    // French typography puts a (narrow) space before a colon.
    colon: ": ", "\u{202f}: ";
    signed_in_as: "Signed in as", "Connecté en tant que";
    optional: "optional", "facultatif";
    required_mark: "required", "obligatoire";
    form_has_errors: "Please correct the following fields:", "Veuillez corriger les champs suivants :";
    js_required: "This field is required.", "Ce champ est obligatoire.";
    counter: "{n} of {max} characters", "{n} sur {max} caractères";
    cancel: "Cancel", "Annuler";
    save: "Save", "Enregistrer";
    none: "None", "Aucun";
    never: "Never", "Jamais";
    copy: "Copy", "Copier";
    copied: "Copied", "Copié";
    previous: "Previous", "Précédent";
    next: "Next", "Suivant";
    page_of: "Page {p} of {n}", "Page {p} sur {n}";

    login_title: "Sign in", "Connexion";
    email: "Email", "Adresse e-mail";
    password: "Password", "Mot de passe";
    sign_in: "Sign in", "Se connecter";
    login_failed: "The email or password is wrong.", "L'adresse e-mail ou le mot de passe est incorrect.";

    setup_title: "Choose your password", "Choisissez votre mot de passe";
    setup_first_admin_title: "Create the first administrator", "Créer le premier administrateur";
    setup_first_admin_intro: "This account will manage Hirecast: it can invite recruiters and hiring managers.", "Ce compte administrera Hirecast : il pourra inviter des recruteurs et des managers recruteurs.";
    setup_account: "Your account", "Votre compte";
    name: "Name", "Nom";
    password_confirm: "Confirm the password", "Confirmez le mot de passe";
    password_hint: "At least 12 characters.", "Au moins 12 caractères.";
    passwords_differ: "the two passwords are different", "les deux mots de passe sont différents";
    setup_submit: "Save and sign in", "Enregistrer et se connecter";
    link_invalid_title: "This link no longer works", "Ce lien ne fonctionne plus";
    link_invalid_text: "The link is invalid, has expired or was already used. Ask an administrator for a new link.", "Le lien est invalide, a expiré ou a déjà été utilisé. Demandez un nouveau lien à un administrateur.";
    email_taken: "a user with this email already exists", "un utilisateur avec cette adresse e-mail existe déjà";

    response_title: "Time to first response", "Délai de première réponse";
    response_median: "minutes, median", "minutes, médiane";
    response_p90: "minutes, 90th percentile", "minutes, 90e centile";
    response_within: "answered within the target", "répondues dans le délai visé";
    searches_title: "Sourcing searches", "Recherches de profils";
    searches_intro: "Look for people in public posts with a hashtag (such as #OpenToWork) and keywords. They are marked as sourced and receive the information notice at first contact.", "Cherchez des personnes dans les publications publiques par hashtag (par exemple #OpenToWork) et mots-clés. Elles sont marquées comme sourcées et reçoivent la notice d'information au premier contact.";
    f_search_account: "Account", "Compte";
    f_hashtag: "Hashtag", "Hashtag";
    f_keywords: "Keywords (all must appear)", "Mots-clés (tous doivent figurer)";
    search_add: "Save the search", "Enregistrer la recherche";
    search_stop: "Stop", "Arrêter";
    search_found: "{n} found", "{n} trouvé(s)";
    search_stopped: "stopped", "arrêtée";
    search_saved: "Search saved: it runs every few minutes.", "Recherche enregistrée : elle s'exécute toutes les quelques minutes.";
    search_bad_hashtag: "The hashtag must be letters, digits or _ (not only digits), up to 100 characters.", "Le hashtag doit contenir des lettres, des chiffres ou _ (pas seulement des chiffres), 100 caractères au plus.";
    search_bad_keywords: "Keywords are at most 200 characters.", "Les mots-clés font 200 caractères au plus.";
    search_bad_account: "Choose a connected Mastodon account.", "Choisissez un compte Mastodon connecté.";
    no_search_accounts: "Connect a Mastodon account (Channels) to search public posts.", "Connectez un compte Mastodon (Canaux) pour chercher dans les publications publiques.";
    shortlist_title: "Candidates from the channels", "Candidats venus des canaux";
    shortlist_intro: "People who answered the posts, read and scored against this opening. The score orders them; you decide.", "Les personnes qui ont répondu aux publications, lues et notées pour cette offre. La note les ordonne ; vous décidez.";
    no_shortlist: "No answer harvested yet.", "Aucune réponse récoltée pour l'instant.";
    col_score: "Score", "Note";
    col_stage: "Stage", "Étape";
    col_matched: "Matched skills", "Compétences trouvées";
    col_missing: "Missing", "Manquantes";
    origin_applied: "answered", "a répondu";
    origin_sourced: "sourced", "sourcé·e";
    has_cv: "CV read", "CV lu";
    dashboard_title: "Dashboard", "Tableau de bord";
    openings_by_status: "Openings by status", "Offres par statut";
    latest_applications: "Latest applications", "Dernières candidatures";
    no_applications: "No applications yet.", "Aucune candidature pour l'instant.";
    first_run_title: "Welcome to Hirecast", "Bienvenue dans Hirecast";
    first_run_text: "There are no openings yet. Create your first opening, or load sample data with the command", "Aucune offre pour l'instant. Créez votre première offre, ou chargez des données d'exemple avec la commande";
    first_run_manager: "No opening is assigned to you yet.", "Aucune offre ne vous est encore attribuée.";

    openings_title: "Openings", "Offres";
    new_opening: "New opening", "Nouvelle offre";
    search: "Search", "Rechercher";
    search_hint: "Words in the title, company, department or city", "Mots du titre, de l'entreprise, du service ou de la ville";
    filters: "Filters", "Filtres";
    any: "Any", "Tous";
    apply_filters: "Filter", "Filtrer";
    col_title: "Title", "Intitulé";
    col_location: "Location", "Lieu";
    col_status: "Status", "Statut";
    col_applications: "Applications", "Candidatures";
    col_updated: "Updated", "Mise à jour";
    no_openings_match: "No opening matches these filters.", "Aucune offre ne correspond à ces filtres.";
    results_count: "{n} openings", "{n} offres";
    results_count_one: "1 opening", "1 offre";

    edit_opening: "Edit opening", "Modifier l'offre";
    f_title: "Job title", "Intitulé du poste";
    f_company: "Company", "Entreprise";
    f_department: "Department", "Service";
    f_city: "City", "Ville";
    f_city_hint: "Required for on-site and hybrid openings.", "Obligatoire pour un poste sur site ou hybride.";
    f_country: "Country (two-letter code, e.g. FR)", "Pays (code à deux lettres, ex. FR)";
    f_remote: "Remote policy", "Télétravail";
    f_type: "Employment type", "Type de contrat";
    f_salary: "Salary", "Salaire";
    f_salary_hint: "Leave both amounts empty to publish no salary.", "Laissez les deux montants vides pour ne pas afficher de salaire.";
    f_salary_min: "Minimum", "Minimum";
    f_salary_max: "Maximum", "Maximum";
    f_salary_currency: "Currency", "Devise";
    f_salary_period: "Period", "Période";
    f_required_skills: "Required skills", "Compétences requises";
    f_nice_skills: "Nice-to-have skills", "Compétences appréciées";
    f_skills_hint: "One per line, or separated by commas.", "Une par ligne, ou séparées par des virgules.";
    f_language: "Language of the opening", "Langue de l'offre";
    f_description: "Description (Markdown)", "Description (Markdown)";
    f_valid_through: "Last day to apply", "Date limite de candidature";
    f_managers: "Hiring managers", "Managers recruteurs";
    f_no_managers: "No active hiring manager yet. Invite one from the Team page.", "Aucun manager recruteur actif. Invitez-en un depuis la page Équipe.";
    create_opening: "Create opening", "Créer l'offre";
    save_opening: "Save changes", "Enregistrer les modifications";
    not_a_number: "must be a whole number, such as 45000", "doit être un nombre entier, par exemple 45000";
    unknown_manager: "is not an active hiring manager", "n'est pas un manager recruteur actif";

    details: "Details", "Informations";
    edit: "Edit", "Modifier";
    publish: "Publish", "Publier";
    pause: "Pause", "Mettre en pause";
    close: "Close", "Clôturer";
    actions: "Actions", "Actions";
    public_link: "Public page", "Page publique";
    created: "Created", "Créée le";
    published: "Published", "Publiée le";
    description: "Description", "Description";
    done_created: "Opening created.", "Offre créée.";
    done_updated: "Changes saved.", "Modifications enregistrées.";
    done_published: "Opening published.", "Offre publiée.";
    done_paused: "Opening paused.", "Offre mise en pause.";
    done_closed: "Opening closed.", "Offre clôturée.";
    refused_expired: "This opening expired on {date}: set a later last day to apply before publishing it.", "Cette offre a expiré le {date} : indiquez une date limite ultérieure avant de la publier.";
    refused_transition: "This change is not possible for an opening with the status “{from}”.", "Ce changement n'est pas possible pour une offre au statut « {from} ».";

    applications_title: "Applications", "Candidatures";
    col_name: "Name", "Nom";
    col_email: "Email", "E-mail";
    col_phone: "Phone", "Téléphone";
    col_date: "Date", "Date";
    col_cv: "CV", "CV";
    col_consent: "Consent", "Consentement";
    cv_download: "Download", "Télécharger";
    cv_link: "Link", "Lien";
    link_clicks_title: "Link clicks by channel", "Clics par canal";
    link_clicks_none: "No tracked link yet: links are created when the opening is posted on a channel.", "Aucun lien suivi pour l'instant : les liens sont créés quand l'offre est publiée sur un canal.";
    col_channel: "Channel", "Canal";
    col_clicks: "Clicks", "Clics";
    col_short_link: "Short link", "Lien court";
    application_title: "Application", "Candidature";
    candidate: "Candidate", "Candidat";
    opening: "Opening", "Offre";
    message: "Message", "Message";
    no_message: "No message.", "Aucun message.";
    consent_title: "Consent to the privacy notice", "Consentement à la notice de confidentialité";
    consent_version: "Notice version", "Version de la notice";
    consent_at: "Given on", "Donné le";
    consent_language: "Language", "Langue";
    other_applications: "Other applications of this candidate", "Autres candidatures de ce candidat";
    back_to_opening: "Back to the opening", "Retour à l'offre";

    team_title: "Team", "Équipe";
    col_role: "Role", "Rôle";
    col_state: "State", "État";
    state_active: "Active", "Actif";
    state_invited: "Invited", "Invité";
    state_deactivated: "Deactivated", "Désactivé";
    invite_title: "Invite someone", "Inviter une personne";
    role: "Role", "Rôle";
    send_invite: "Create the invitation", "Créer l'invitation";
    invite_link_intro: "Send this one-time link to {name}. It works once, for 7 days:", "Envoyez ce lien à usage unique à {name}. Il fonctionne une seule fois, pendant 7 jours :";
    refuse_self: "You cannot change your own role or deactivate yourself.", "Vous ne pouvez pas modifier votre propre rôle ni vous désactiver.";
    refuse_last_admin: "At least one active administrator must remain.", "Il doit rester au moins un administrateur actif.";
    you: "(you)", "(vous)";

    settings_title: "Settings", "Paramètres";
    language_pref: "Language of the app", "Langue de l'application";
    language_saved: "Language saved.", "Langue enregistrée.";
    tokens_title: "Personal API tokens", "Jetons d'API personnels";
    tokens_intro: "A token lets a script use the API in your name. Revoke it when it is no longer needed.", "Un jeton permet à un script d'utiliser l'API en votre nom. Révoquez-le dès qu'il n'est plus utile.";
    token_name: "Token name", "Nom du jeton";
    create_token: "Create a token", "Créer un jeton";
    token_created: "Copy this token now: it will not be shown again. Hirecast stores only a hash of it.", "Copiez ce jeton maintenant : il ne sera plus affiché. Hirecast n'en conserve qu'une empreinte (hachée).";
    col_created: "Created", "Créé le";
    col_last_used: "Last used", "Dernière utilisation";
    revoked: "Revoked", "Révoqué";
    revoke: "Revoke", "Révoquer";
    token_revoked: "Token revoked.", "Jeton révoqué.";
    no_tokens: "No token yet.", "Aucun jeton pour l'instant.";
    preview_title: "Posts per network", "Publications par réseau";
    preview_intro: "Each post as it will be sent, counted as that network counts. The counter turns red when a post is over the limit.", "Chaque publication telle qu'elle sera envoyée, comptée comme le réseau la compte. Le compteur passe au rouge au-delà de la limite.";
    preview_empty: "Fill in the required fields to see the posts.", "Remplissez les champs obligatoires pour voir les publications.";
    preview_invalid: "Correct the form to update the posts.", "Corrigez le formulaire pour mettre à jour les publications.";
    preview_dropped: "Left out to fit:", "Retiré pour tenir :";
    tpl_title: "Post templates", "Modèles de publication";
    skills_link: "Skills recognised in answers and CVs", "Compétences reconnues dans les réponses et les CV";
    skills_title: "Skills", "Compétences";
    skills_intro: "Hirecast ships {n} skills in English and French with their usual spellings. Add your own, or change one by giving its identifier; they count for every opening from the next answer.", "Hirecast fournit {n} compétences en anglais et en français avec leurs graphies usuelles. Ajoutez les vôtres, ou modifiez-en une en reprenant son identifiant ; elles comptent pour toutes les offres dès la prochaine réponse.";
    skills_download: "Download the shipped list", "Télécharger la liste fournie";
    skills_yours: "Your skills", "Vos compétences";
    skills_none: "None yet.", "Aucune pour l'instant.";
    f_skill_slug: "Identifier (a-z, 0-9, -)", "Identifiant (a-z, 0-9, -)";
    f_skill_en: "English name", "Nom en anglais";
    f_skill_fr: "French name", "Nom en français";
    f_skill_category: "Category", "Catégorie";
    f_skill_aliases: "Other spellings, separated by commas", "Autres graphies, séparées par des virgules";
    f_skill_ambiguous: "Also a common word: count it only near related words", "Aussi un mot courant : ne le compter que près de mots liés";
    skill_add: "Save the skill", "Enregistrer la compétence";
    skill_remove: "Remove", "Retirer";
    skill_saved: "Skill saved.", "Compétence enregistrée.";
    skill_removed: "Skill removed.", "Compétence retirée.";
    skill_bad_slug: "The identifier is 1 to 60 characters: lowercase letters, digits and -.", "L'identifiant fait 1 à 60 caractères : minuscules, chiffres et -.";
    skill_bad_name: "Each name is 1 to 60 characters.", "Chaque nom fait 1 à 60 caractères.";
    tpl_intro: "How an opening becomes a post on each network, per language. Placeholders: {title} {company} {location} {remote} {contract} {salary} {link} {hashtags}. A part in [square brackets] disappears when a placeholder inside it is empty. Every template needs {link}.", "Comment une offre devient une publication sur chaque réseau, par langue. Champs : {title} {company} {location} {remote} {contract} {salary} {link} {hashtags}. Une partie entre [crochets] disparaît quand un champ qu'elle contient est vide. Chaque modèle doit contenir {link}.";
    tpl_link: "Edit the post templates", "Modifier les modèles de publication";
    tpl_custom: "Customized", "Personnalisé";
    tpl_default: "Default", "Par défaut";
    tpl_reset: "Back to the default", "Revenir au modèle par défaut";
    tpl_saved: "Template saved.", "Modèle enregistré.";
    tpl_reset_done: "Template back to the default.", "Modèle par défaut rétabli.";
    tpl_empty: "The template is empty.", "Le modèle est vide.";
    tpl_too_long: "The template is longer than 4000 characters.", "Le modèle dépasse 4000 caractères.";
    tpl_in_french: "French posts", "Publications en français";
    tpl_in_english: "English posts", "Publications en anglais";
}

pub fn text(lang: super::Lang) -> &'static UiText {
    match lang {
        super::Lang::En => &EN,
        super::Lang::Fr => &FR,
    }
}
